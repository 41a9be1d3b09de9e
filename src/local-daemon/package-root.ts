import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'xray-otel-bridge';

// The code runs from src/ (tests), dist/cli/main.js and dist/index.{js,cjs}; only walking up to our
// own package.json finds the shipped files from all of them. The CJS bundle has no import.meta but
// has __dirname, and `typeof` keeps the ESM build from touching the missing global.
function startDir(): string {
  return typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
}

let cached: { root: string; version: string } | undefined;

/** The installed package's root directory and version. */
export function packageInfo(): { root: string; version: string } {
  if (cached) return cached;
  let dir = startDir();
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === PACKAGE_NAME) {
        cached = { root: dir, version: typeof pkg.version === 'string' ? pkg.version : '0.0.0' };
        return cached;
      }
    } catch {
      // No package.json here (or an unreadable one): keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${startDir()}`);
    dir = parent;
  }
}

/** The segment-document JSON Schema the package ships. */
export function loadShippedSchema(): object {
  const path = join(packageInfo().root, 'schema', 'segment-document.schema.json');
  return JSON.parse(readFileSync(path, 'utf8')) as object;
}
