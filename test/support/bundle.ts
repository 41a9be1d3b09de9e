import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundles a TypeScript entry (a path from the project root) into one ESM file a child `node` process can
 * run: Node 20 cannot run the sources, and tests must not depend on `npm run build`.
 */
export async function bundleForNode(entryFromRoot: string, outfile: string): Promise<string> {
  await build({
    entryPoints: [fileURLToPath(new URL(`../../${entryFromRoot}`, import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
    // CommonJS dependencies call require() for Node built-ins; an ESM bundle needs a real one.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return outfile;
}
