// Internal modules measured without the build: bundled from src/ with esbuild (a dev dependency)
// into benchmarks/.cache. XRAY_BENCH_SRC=/path/to/src measures another source tree (before/after).
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = fileURLToPath(new URL('../.cache/', import.meta.url));

/**
 * The named exports `{ name: 'path/under/src.ts' }` from `srcDir` (default: this checkout's
 * src/), bundled as `benchmarks/.cache/<tag>.mjs`.
 */
export async function loadFromSrc(exports, srcDir = process.env.XRAY_BENCH_SRC ?? resolve(ROOT, 'src'), tag = 'internal') {
  await mkdir(CACHE, { recursive: true });
  const entry = resolve(CACHE, `${tag}-entry.ts`);
  const src = resolve(srcDir);
  await writeFile(
    entry,
    Object.entries(exports)
      .map(([name, path]) => `export { ${name} } from ${JSON.stringify(resolve(src, path))};\n`)
      .join(''),
  );
  const outfile = resolve(CACHE, `${tag}.mjs`);
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
    // Dependencies stay imports of this checkout's node_modules (one @opentelemetry/api instance).
    packages: 'external',
    nodePaths: [resolve(ROOT, 'node_modules')],
  });
  return import(`${pathToFileURL(outfile).href}?${Date.now()}`);
}

/**
 * The exporter's own JSON path without the socket: `{ assembleDocuments, resolveTranslateOptions }`
 * (translation, nesting, shrinking, serialization).
 */
export function loadInternals(srcDir, tag = 'internal') {
  return loadFromSrc({ assembleDocuments: 'exporter/assemble.ts', resolveTranslateOptions: 'exporter/options.ts' }, srcDir, tag);
}
