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
    // The CLI is an executable, not an API: ESM only, no declarations.
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
