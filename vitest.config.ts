import { defineConfig } from 'vitest/config';

// Three projects: everything that runs in Node (server, packages, kernel tests, browser
// tests driving Chromium), the route tests that use the store once more on PostgreSQL, and the
// web app's component tests in jsdom.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'packages/*/src/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
            'apps/server/src/**/*.test.ts',
            'apps/server/test/**/*.test.ts',
            'apps/web/e2e/**/*.spec.ts',
            'bpf-templates/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Kernel and browser tests share one machine: files run one at a time.
          fileParallelism: false,
        },
      },
      {
        // The store's route tests again, on PostgreSQL (a temporary cluster per file).
        test: {
          name: 'postgres',
          environment: 'node',
          include: [
            'apps/server/test/{auth,courses,course-rules,desk,desk-live,drafts,instructor,submissions,submissions-ws}.test.ts',
          ],
          env: { LAB_TEST_STORE: 'postgres' },
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'web',
          environment: 'jsdom',
          include: ['apps/web/src/**/*.test.{ts,tsx}'],
        },
      },
    ],
  },
});
