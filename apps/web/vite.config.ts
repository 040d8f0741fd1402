import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const monacoEsm = fileURLToPath(new URL('../../node_modules/monaco-editor/esm/vs/', import.meta.url));
const serverUrl = process.env.LAB_SERVER ?? 'http://127.0.0.1:8080';

// The server serves dist/ (npm start); `vite` is only for development, proxying to it.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: {
    alias: [
      // monaco-vim imports `monaco-editor/esm/vs/...`, which monaco 0.56+'s export map no longer
      // resolves (it maps `./*` to `./esm/vs/*.js`). Point it at the same files we import, so
      // there is one Monaco instance in the bundle.
      { find: /^monaco-editor\/esm\/vs\/(.*?)(\.js)?$/, replacement: `${monacoEsm}$1.js` },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': serverUrl,
      '/ws': { target: serverUrl.replace(/^http/, 'ws'), ws: true },
    },
  },
});
