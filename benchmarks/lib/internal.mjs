// The exporter's own JSON path without the socket: `assembleDocuments` (translation, nesting,
// shrinking, serialization), which is internal, bundled from src/ with esbuild (a dev dependency)
// into benchmarks/.cache. XRAY_BENCH_SRC=/path/to/src measures another source tree (before/after).
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = fileURLToPath(new URL('../.cache/', import.meta.url));

/** `{ assembleDocuments, resolveTranslateOptions }` from `srcDir` (default: this checkout's src/). */
export async function loadInternals(srcDir = process.env.XRAY_BENCH_SRC ?? resolve(ROOT, 'src'), tag = 'internal') {
  await mkdir(CACHE, { recursive: true });
  const entry = resolve(CACHE, `${tag}-entry.ts`);
  const src = resolve(srcDir);
  await writeFile(
    entry,
    `export { assembleDocuments } from ${JSON.stringify(resolve(src, 'exporter/assemble.ts'))};\n` +
      `export { resolveTranslateOptions } from ${JSON.stringify(resolve(src, 'exporter/options.ts'))};\n`,
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
