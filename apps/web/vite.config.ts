import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import type { HtmlTagDescriptor, Plugin } from 'vite';
import { EDITOR_PRELOADS_ID } from './src/editor/editor-preloads.ts';

const monacoEsm = fileURLToPath(
  new URL('../../node_modules/monaco-editor/esm/vs/', import.meta.url),
);
const serverUrl = process.env.LAB_SERVER ?? 'http://127.0.0.1:8080';

/**
 * Puts `<link rel="modulepreload">` for the exercise page's chunk (and what it imports) in
 * index.html, so the browser fetches them alongside the app's entry instead of only once the entry
 * has run, matched the route and asked for them. The largest chunks come first: the browser opens
 * six connections to the server and the rest queue.
 *
 * The editor's chunks (Monaco is most of the bundle) are listed in a `<template>` instead, which
 * the page moves into the head once the quick editor is on screen (`preloadCodeEditor`). Preloaded
 * from the start, their download and compilation competed with the first screen on a small
 * machine: a key typed into the quick editor showed ~350 ms later, for a Monaco that starts only
 * once the page is idle anyway. Exercises, their history and the instructor's review use Monaco
 * (the editor or its diff), and the exercise list, the first page, is one click from an exercise.
 *
 * The exercise page's own CSS is linked as a stylesheet: the first screen needs it. Monaco's CSS
 * (160 kB) goes with the editor's chunks, as a preload: as a stylesheet in the head it held up the
 * first paint and the app's start (module scripts wait for the sheets before them). Preloaded, it
 * is there when Vite's loader links it as Monaco's chunk is imported.
 */
function preloadExercisePage(): Plugin {
  /** The first screen's page, then what comes once it is on screen. */
  const [firstScreen, later] = ['/src/exercise/ExercisePage.tsx', '/src/editor/CodeEditor.tsx'];
  return {
    name: 'lab-preload-exercise-page',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, { bundle }) {
        if (!bundle) return [];
        const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
        const files = new Map<string, number>();
        const visit = (file: string, styles: Set<string>) => {
          if (files.has(file)) return;
          const chunk = chunks.find((c) => c.fileName === file);
          files.set(file, chunk?.code.length ?? 0);
          for (const css of chunk?.viteMetadata?.importedCss ?? []) styles.add(css);
          for (const imported of chunk?.imports ?? []) visit(imported, styles);
        };
        const chunkOf = (module: string) => {
          const chunk = chunks.find((c) => c.facadeModuleId?.endsWith(module));
          if (!chunk) throw new Error(`preloadExercisePage: no chunk for src${module}`);
          return chunk.fileName;
        };
        const notInPage = (file: string) => !html.includes(`/${file}"`);
        // The entry and what it imports are in the page already; the largest first.
        const preloads = (styles: Set<string>, module: string) => {
          const before = new Set(files.keys());
          visit(chunkOf(module), styles);
          return [...files]
            .filter(([file]) => !before.has(file) && notInPage(file))
            .sort(([, a], [, b]) => b - a)
            .map(([file]): HtmlTagDescriptor => ({
              tag: 'link',
              attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` },
            }));
        };
        const firstStyles = new Set<string>();
        const laterStyles = new Set<string>();
        const scripts = preloads(firstStyles, firstScreen).map((tag) => ({
          ...tag,
          injectTo: 'head' as const,
        }));
        const laterScripts = preloads(laterStyles, later);
        // Vite's loader finds these and does not ask for them again.
        const sheets: HtmlTagDescriptor[] = [...firstStyles].filter(notInPage).map((file) => ({
          tag: 'link',
          attrs: { rel: 'stylesheet', crossorigin: true, href: `/${file}` },
          injectTo: 'head',
        }));
        const laterSheets: HtmlTagDescriptor[] = [...laterStyles]
          .filter((file) => notInPage(file) && !firstStyles.has(file))
          .map((file) => ({
            tag: 'link',
            attrs: { rel: 'preload', as: 'style', crossorigin: true, href: `/${file}` },
          }));
        const editorPreloads: HtmlTagDescriptor = {
          tag: 'template',
          attrs: { id: EDITOR_PRELOADS_ID },
          children: [...laterScripts, ...laterSheets],
          injectTo: 'head',
        };
        // The sheets first: they hold up the first paint, and the browser's six connections would
        // otherwise be taken by the scripts listed before them.
        return [...sheets, ...scripts, editorPreloads];
      },
    },
  };
}

/** What gzip shrinks: scripts, style sheets, fonts and maps (images are compressed already). */
const COMPRESSIBLE = /\.(js|css|ttf|svg|json|map)$/;

/**
 * Writes `name.gz` beside each asset, at gzip's best level, once per build: the server sends it as
 * it is (apps/server/src/precompressed-assets.ts) instead of compressing Monaco's 3.4 MB chunk on
 * every first load.
 */
function precompressAssets(): Plugin {
  return {
    name: 'lab-precompress-assets',
    apply: 'build',
    writeBundle(options, bundle) {
      const dir = options.dir ?? join(fileURLToPath(new URL('.', import.meta.url)), 'dist');
      for (const [file, output] of Object.entries(bundle)) {
        if (!file.startsWith('assets/') || !COMPRESSIBLE.test(file)) continue;
        const data = output.type === 'chunk' ? output.code : output.source;
        writeFileSync(
          join(dir, `${file}.gz`),
          gzipSync(data, { level: constants.Z_BEST_COMPRESSION }),
        );
      }
    },
  };
}

// The server serves dist/ (npm start); `vite` is only for development, proxying to it.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react(), preloadExercisePage(), precompressAssets()],
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
