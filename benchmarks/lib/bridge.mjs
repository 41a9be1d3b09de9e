// The library under test, from the build (`npm run build`), exactly as users import it.
// XRAY_BENCH_DIST=/path/to/index.js benchmarks another build instead (e.g. before/after a change).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIST = process.env.XRAY_BENCH_DIST
  ? pathToFileURL(resolve(process.env.XRAY_BENCH_DIST))
  : new URL('../../dist/index.js', import.meta.url);

export async function loadBridge() {
  if (!existsSync(fileURLToPath(DIST))) {
    throw new Error(`${fileURLToPath(DIST)} is missing: run \`npm run build\` first`);
  }
  return import(DIST.href);
}
