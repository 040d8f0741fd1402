// Import boundaries that keep the architecture readable; run by `npm test`
// (scripts/checks/code-shape.test.ts).
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A cycle means two modules are one concern split badly: merge or invert one edge.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'web-imports-only-protocol',
      comment:
        'The browser app speaks to the server through the protocol package and nothing else.',
      severity: 'error',
      from: { path: '^apps/web/src' },
      to: { path: '^packages/(?!protocol/)' },
    },
    {
      name: 'packages-never-import-apps',
      comment: 'Packages are the libraries the apps are built from, never the other way round.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-never-import-each-other',
      comment: 'The server and the web app share code only through packages.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/([^/]+)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'server-core-never-imports-routes',
      comment:
        'Runs, sockets, the queue and the network layer serve every route; HTTP routes are built on them, never the other way round (who is asking lives in identity.ts).',
      severity: 'error',
      from: { path: '^apps/server/src/(runs|ws|network|queue|distributed|lsp|system)/' },
      to: { path: '^apps/server/src/routes/' },
    },
    {
      name: 'one-owner-of-child-processes',
      comment:
        'Every child process of the lab starts in packages/runner/src/process.ts, with its group kill, limits and output caps.',
      severity: 'error',
      from: {
        path: '^(apps/server/src|packages/[^/]+/src)/',
        pathNot: [
          '^packages/runner/src/process\\.ts$',
          '\\.test\\.ts$',
          '^packages/store/src/testing/',
        ],
      },
      to: { dependencyTypes: ['core'], path: '^(node:)?child_process$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|build|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'default'] },
  },
};
