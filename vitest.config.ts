import { defineConfig } from 'vitest/config';

/**
 * Tests that load BPF programs, start the compiler, clangd, servers of their own or a browser,
 * or measure time on the machine: they share one kernel and two cores, so they run one file at a
 * time. Everything else is a unit test and runs in parallel beside them.
 */
const SERIAL = [
  'packages/runner/test/**/*.test.ts',
  'packages/diagnostics/test/**/*.test.ts',
  'packages/exercises/test/**/*.test.ts',
  'packages/store/test/**/*.test.ts',
  'apps/server/src/lsp/clangd-bridge.test.ts',
  'apps/server/src/system/system-info.test.ts',
  'apps/server/test/{auth-cli,distributed,distributed-grading,grade-cli,health,health-under-stall,network,server,shared-limits,start-up,static-assets,submissions-kill}.test.ts',
  'apps/web/e2e/**/*.spec.ts',
  'bpf-templates/**/*.test.ts',
  'scripts/**/*.test.ts',
];

// Four projects: unit tests in parallel; the serial tests above (kernel, processes, browser);
// the route tests that use the store once more on PostgreSQL; the web app's component tests in
// jsdom. Projects run beside each other.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: [
            'packages/*/src/**/*.test.ts',
            'apps/server/src/**/*.test.ts',
            'apps/server/test/**/*.test.ts',
          ],
          exclude: SERIAL,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'serial',
          environment: 'node',
          include: SERIAL,
          testTimeout: 60_000,
          hookTimeout: 120_000,
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
