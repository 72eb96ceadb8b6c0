// The import rules of the architecture (docs/ARCHITECTURE.md), checked by `npm run lint`:
// dependency-cruiser reads the real imports (type-only ones included) and fails on any arrow the
// architecture does not draw. shared-domain = every folder of shared/ but node/ and testing/.
// shared/node is the Node-only part, in folders by purpose: capture/ (reading capture files and the
// parser threads), bundle/ (writing bundles), cluster/ (reading snapshots and manifests), ai/ (the
// model's client and the draft run), fs/ (atomic writes, regular-file checks, file errors).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be read, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-stays-shared',
      severity: 'error',
      comment: 'shared/ is the core every process runs: it never reaches into a host, the UI, the CLI or the tests.',
      from: { path: '^shared/' },
      to: { path: '^(electron|renderer|cli|e2e)/' },
    },
    {
      name: 'shared-without-scripts',
      severity: 'error',
      comment: 'Product code does not use the dev scripts (a test may use the capture generator).',
      from: { path: '^shared/', pathNot: '\\.test\\.tsx?$' },
      to: { path: '^scripts/' },
    },
    {
      name: 'domain-without-node',
      severity: 'error',
      comment: 'The domain runs in the renderer and its workers too: only shared/node (and test support) may use Node.',
      from: { path: '^shared/(?!node/|testing/)', pathNot: '\\.test\\.tsx?$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'domain-without-node-part',
      severity: 'error',
      comment: 'The domain does not lean on the Node-only part of shared.',
      from: { path: '^shared/(?!node/|testing/)', pathNot: '\\.test\\.tsx?$' },
      to: { path: '^shared/node/' },
    },
    {
      name: 'node-parts-apart',
      severity: 'error',
      comment:
        'Each part of shared/node does one job and leans only on the file helpers in fs/: a capture reader never reaches into the bundle writer or the AI client.',
      from: { path: '^shared/node/([^/]+)/' },
      to: { path: '^shared/node/', pathNot: '^shared/node/(fs|$1)/' },
    },
    {
      name: 'renderer-in-the-browser',
      severity: 'error',
      comment: 'The renderer is a web page: no Electron, no Node, no main-process code, no Node-only part of shared.',
      from: { path: '^renderer/', pathNot: '\\.test\\.tsx?$' },
      to: { path: '^(electron|cli|e2e|shared/node)/|^electron$' },
    },
    {
      name: 'renderer-without-node',
      severity: 'error',
      from: { path: '^renderer/', pathNot: '\\.test\\.tsx?$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'cli-without-electron',
      severity: 'error',
      comment: 'The CLI runs without Electron.',
      from: { path: '^cli/' },
      to: { path: '^(electron|renderer|e2e)/|^electron$' },
    },
    {
      name: 'tests-stay-in-e2e',
      severity: 'error',
      comment: 'e2e/ holds tests, stand-ins and test support: no product code imports it.',
      from: { path: '^(shared|electron|renderer|cli|scripts)/' },
      to: { path: '^e2e/' },
    },
    {
      name: 'test-support-only-in-tests',
      severity: 'error',
      comment: 'shared/testing is for tests: product code never imports it.',
      from: { path: '^(shared|electron|renderer|cli)/', pathNot: '(\\.test\\.tsx?$|^shared/testing/)' },
      to: { path: '^shared/testing/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|node_modules|fixtures|docs)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
