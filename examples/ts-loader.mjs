// Runs a TypeScript example in place: `node --import ./examples/ts-loader.mjs examples/<name>.ts`
// (what `npm run example -- examples/<name>.ts` does after building the package).
//
// Node 20 cannot run TypeScript, and the examples use decorators, which only a compiler turns
// into JavaScript. This hook compiles each .ts module with the project's own TypeScript and
// tsconfig.json, so an example runs exactly as it type-checks, and imports `xray-otel-bridge` as
// an application would (the built package, through package.json "exports").
import { readFile } from 'node:fs/promises';
import { register } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

// This file is both the entry (main thread) and the hooks module (Node's loader thread).
if (isMainThread) register(import.meta.url);

let compilerOptions;

async function optionsFor(file) {
  if (compilerOptions !== undefined) return compilerOptions;
  const { default: ts } = await import('typescript');
  const configPath = ts.findConfigFile(dirname(file), ts.sys.fileExists);
  const parsed = configPath === undefined ? { options: {} } : ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  compilerOptions = {
    ...parsed?.options,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    declaration: false,
    sourceMap: false,
    inlineSourceMap: true,
    inlineSources: true,
    noEmit: false,
  };
  return compilerOptions;
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const { default: ts } = await import('typescript');
  const { outputText } = ts.transpileModule(await readFile(file, 'utf8'), { fileName: file, compilerOptions: await optionsFor(file) });
  return { format: 'module', source: outputText, shortCircuit: true };
}
