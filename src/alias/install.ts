import Module, { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aliasOf } from './targets.js';

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const INSTALLED = Symbol.for('xray-otel-bridge.alias');

/**
 * Makes `require` and `import` of `aws-xray-sdk-core`, `aws-xray-sdk-express`, `aws-xray-sdk-postgres`,
 * `aws-xray-sdk-mysql` and `aws-xray-sdk`
 * load the drop-in, so a service moves to OpenTelemetry without editing a file:
 * `node --require xray-otel-bridge/alias app.js` or `node --import xray-otel-bridge/alias app.mjs`.
 * CommonJS: the resolver maps the names to the drop-in's CommonJS build. ESM: resolve hooks
 * (`module.register`, Node ≥ 20.6) map them to its ESM build. Both builds share one `AWSXRay`.
 */
export function installAlias(): void {
  const g = globalThis as typeof globalThis & { [INSTALLED]?: boolean };
  if (g[INSTALLED]) return;
  g[INSTALLED] = true;
  const here = dirname(fileURLToPath(import.meta.url));
  const M = Module as unknown as { _resolveFilename: ResolveFilename };
  const original = M._resolveFilename;
  M._resolveFilename = function (this: unknown, request, parent, isMain, options) {
    const target = aliasOf(request);
    if (target !== undefined) return join(here, `${target}.cjs`);
    return original.call(this, request, parent, isMain, options);
  };
  if (typeof register === 'function') register('./alias-hooks.js', import.meta.url);
}
