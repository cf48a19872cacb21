// Architecture boundaries, enforced by `npm run check` (dependency-cruiser) and by
// test/unit/architecture-boundaries.test.ts.
//
// Paths are matched against resolved file paths relative to the cruise's base directory
// (the repo root), e.g. `shared/segmentation/domain/segment-model.ts`. The `#shared/*`-style
// aliases from package.json `imports` are resolved by enhanced-resolve, so an alias import is
// checked exactly like a relative one. npm packages resolve to `node_modules/...` paths; the
// patterns for them are not anchored at `^` so they also match when the cruise runs from a
// sub-directory (as the test's fixtures do).

/** AWS SDK v3 clients and their @smithy runtime: only adapters (and the edges) may talk to AWS. */
const AWS_SDK = '(^|/)node_modules/(@aws-sdk|@smithy)/';

/** Node built-ins that do I/O: files, network, processes, threads. Hashing (node:crypto),
 * compression (node:zlib), streams, path, url, util etc. are not I/O by themselves. */
const NODE_IO =
  '^(node:)?(fs|fs/promises|http|https|http2|net|tls|dgram|dns|dns/promises|child_process|worker_threads|cluster)$';

/** Pure code: each area's domain, plus the kernel's generic helpers (but not the kernel's ports). */
const DOMAIN = ['^shared/[^/]+/domain/', '^shared/kernel/(?!ports/)'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-no-aws-sdk',
      severity: 'error',
      comment:
        'Domain code (shared/*/domain, shared/kernel helpers) is pure business logic: it must not talk to AWS. ' +
        'Put the AWS call in an adapter in shared/adapters behind a port.',
      from: { path: DOMAIN },
      to: { path: AWS_SDK },
    },
    {
      name: 'domain-no-outer-layers',
      severity: 'error',
      comment:
        'Domain code is the innermost layer: it may import kernel helpers, shared/contract constants and other ' +
        "areas' domain, but never adapters, the HTTP edge, use cases or ports (those depend on the domain, " +
        'not the other way round).',
      from: { path: DOMAIN },
      to: { path: ['^shared/adapters/', '^shared/http/', '^shared/[^/]+/usecases/', '^shared/[^/]+/ports/'] },
    },
    {
      name: 'domain-no-node-io',
      severity: 'error',
      comment:
        'Domain code must stay pure and testable without a file system, network or child processes. ' +
        'Hashing (node:crypto) and compression (node:zlib) are computations and allowed; fs/net/http/dns/' +
        'processes/threads belong in adapters or the local runtime.',
      from: { path: DOMAIN },
      to: { dependencyTypes: ['core'], path: NODE_IO },
    },
    {
      name: 'usecase-no-aws-sdk',
      severity: 'error',
      comment:
        'Use cases reach infrastructure only through ports; the AWS SDK is used by adapters in shared/adapters.',
      from: { path: '^shared/[^/]+/usecases/' },
      to: { path: AWS_SDK },
    },
    {
      name: 'usecase-no-adapters-or-edges',
      severity: 'error',
      comment:
        'Use cases depend on ports, not on their implementations (shared/adapters), and not on the edges that ' +
        'call them (shared/http, functions/, local/); the wiring of ports to adapters happens at the edges.',
      from: { path: '^shared/[^/]+/usecases/' },
      to: { path: ['^shared/adapters/', '^shared/http/', '^functions/', '^local/'] },
    },
    {
      name: 'port-no-adapters-or-aws-sdk',
      severity: 'error',
      comment:
        'Ports are the interfaces adapters implement; a port that imports an adapter or the AWS SDK leaks ' +
        'the implementation into every use case that depends on it.',
      from: { path: '^shared/[^/]+/ports/' },
      to: { path: ['^shared/adapters/', AWS_SDK] },
    },
    {
      name: 'shared-no-top-level-apps',
      severity: 'error',
      comment:
        'shared/ is the library every entry point builds on; it must not depend on the entry points and tools ' +
        'that use it (Lambda handlers, local runtime, CDK app, tests, benchmarks, scripts, evaluation).',
      from: { path: '^shared/' },
      to: { path: '^(functions|local|infra|test|bench|scripts|evaluate|dashboard)/' },
    },
    {
      name: 'functions-no-local-or-tooling',
      severity: 'error',
      comment:
        'Lambda handlers are bundled and deployed: they must not pull in the local runtime (emulators, local ' +
        'server), test code, benchmarks, scripts, evaluation harness or the CDK app.',
      from: { path: '^functions/' },
      to: { path: '^(local|test|bench|scripts|evaluate|infra|dashboard)/' },
    },
    {
      name: 'infra-only-contract',
      severity: 'error',
      comment:
        'The CDK app shares with the runtime code only shared/contract (table names, routes, env variable ' +
        'names, ...). Importing anything else under shared/, functions/ or local/ would make synth depend ' +
        'on runtime code. Allowed: infra/**, shared/contract/**, npm packages and node built-ins.',
      from: { path: '^infra/' },
      to: {
        dependencyTypesNot: ['core'],
        pathNot: ['^infra/', '^shared/contract/', '(^|/)node_modules/'],
      },
    },
    {
      name: 'tooling-no-test-code',
      severity: 'error',
      comment:
        'bench/, scripts/ and evaluate/ are run on their own; they must not depend on test code (test ' +
        'helpers may change freely with the tests). Move anything they share into shared/ or their own folder.',
      from: { path: '^(bench|scripts|evaluate)/' },
      to: { path: '^test/' },
    },
    {
      name: 'dashboard-app-browser-only',
      severity: 'error',
      comment:
        'The dashboard app (dashboard/app) runs in the browser and talks to the service only over its public ' +
        'HTTP API: it may import its own modules and its UI libraries (preact, uplot), never the service code ' +
        '(shared/, functions/, local/), Node built-ins or other packages, which esbuild would bundle or fail on.',
      from: { path: '^dashboard/app/' },
      to: { pathNot: ['^dashboard/app/', '(^|/)node_modules/(preact|uplot)/'] },
    },
    {
      name: 'dashboard-build-only-tooling',
      severity: 'error',
      comment:
        'dashboard/build.ts is tooling (the local service and, later, the stack call it): it uses esbuild and ' +
        'Node built-ins, and reads the app only as esbuild input, never by import.',
      from: { path: '^dashboard/[^/]+\\.ts$' },
      to: { pathNot: ['^dashboard/[^/]+\\.ts$', '(^|/)node_modules/esbuild/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Import cycles (type-only imports included) make the layering meaningless and module initialisation ' +
        'order fragile. Tests are exempt.',
      from: { pathNot: '^test/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'Every import must resolve to a file or package. An alias (#shared/*, ...) that stops resolving would ' +
        'otherwise silently hide violations of the rules above.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    // NB: node_modules must NOT be excluded (only not followed): excluded paths vanish from the
    // dependencies too, and the AWS SDK rules could then never fire.
    exclude: { path: '(^|/)(cdk\\.out|\\.data|\\.boundary-fixtures-[^/]+)/' },
    // Type-only imports (`import type`) are dependencies of the architecture too.
    tsPreCompilationDeps: true,
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      // package.json `imports` (the #shared/* aliases) is read through enhanced-resolve's default
      // importsFields: ['imports']. `exports` is needed to resolve packages that only have exports.
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
