import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'local-daemon': 'src/local-daemon/index.ts' },
    format: ['esm', 'cjs'],
    // Members marked @internal stay out of the published declarations.
    dts: { compilerOptions: { stripInternal: true } },
    sourcemap: true,
    clean: true,
    // The local daemon finds its shipped schema through import.meta.url; tsup maps it for CJS.
    shims: true,
    target: 'node20',
    platform: 'node',
  },
  {
    // The drop-in for aws-xray-sdk-core and friends, ESM: default export plus named exports.
    entry: {
      'aws-xray-sdk-core': 'src/aws-xray-sdk-core/index.ts',
      'aws-xray-sdk-express': 'src/aws-xray-sdk-express/index.ts',
      'aws-xray-sdk': 'src/aws-xray-sdk/index.ts',
      'aws-xray-sdk-mysql': 'src/aws-xray-sdk-mysql/index.ts',
      'aws-xray-sdk-postgres': 'src/aws-xray-sdk-postgres/index.ts',
      alias: 'src/alias/index.ts',
      'alias-hooks': 'src/alias/hooks.ts',
    },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    shims: true,
    target: 'node20',
    platform: 'node',
  },
  {
    // The same, CommonJS: `module.exports = AWSXRay`. Each entry's only export is its default, made
    // module.exports by the footer (cjsInterop does the declarations: `export = AWSXRay`). No code
    // splitting: its CommonJS path rewrites optional chaining into helper calls on the hot path.
    // The copies share one AWSXRay through a global symbol (src/aws-xray-sdk-core/aws-xray.ts).
    entry: {
      'aws-xray-sdk-core': 'src/aws-xray-sdk-core/cjs.ts',
      'aws-xray-sdk-express': 'src/aws-xray-sdk-express/cjs.ts',
      'aws-xray-sdk': 'src/aws-xray-sdk/cjs.ts',
      'aws-xray-sdk-mysql': 'src/aws-xray-sdk-mysql/cjs.ts',
      'aws-xray-sdk-postgres': 'src/aws-xray-sdk-postgres/cjs.ts',
    },
    format: ['cjs'],
    cjsInterop: true,
    footer: { js: 'module.exports = module.exports.default;' },
    dts: true,
    sourcemap: true,
    shims: true,
    target: 'node20',
    platform: 'node',
  },
  {
    // The preload, for `--require`: installing is its only effect.
    entry: { alias: 'src/alias/index.ts' },
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    shims: true,
    target: 'node20',
    platform: 'node',
  },
  {
    // The UDP worker thread of `sendFrom: 'worker-thread'`, found next to the exporter's code through
    // import.meta.url (the same file for the ESM and CommonJS builds). One self-contained ESM file: a
    // worker is started from a path, never imported by the application. `.mjs`, so that it loads as
    // ESM whatever the folder it is copied to says (a bundled application ships it beside its
    // bundle), and a name no application file has by chance.
    entry: { 'xray-otel-bridge-udp-worker': 'src/transport/udp-worker-thread.ts' },
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    sourcemap: true,
    target: 'node20',
    platform: 'node',
  },
  {
    // `node --import xray-otel-bridge/register`: runs before the application, so ESM only.
    entry: { register: 'src/patch/register-loader.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    platform: 'node',
  },
  {
    // The CLI is an executable, not an API: ESM only, no declarations.
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
