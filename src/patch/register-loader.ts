/**
 * `node --import xray-otel-bridge/register app.mjs`: registers the ESM loader hook that
 * OpenTelemetry instrumentations need to patch ES modules (`import { S3Client } from
 * '@aws-sdk/client-s3'`). CommonJS modules need nothing: instrumentations hook `require`.
 * Patching itself still happens in the application (`patch()`, `registerXRay({ patch })`), and
 * may come after the imports: the hook lets instrumentations reach modules already imported.
 */
import { createRequire, register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { esmLoaderRegistered, markEsmLoaderRegistered } from './loader-flag.js';

const HOOK = '@opentelemetry/instrumentation/hook.mjs';

function resolveHook(): string | undefined {
  // The hook must be the copy the instrumentations use: resolve it as the application would.
  for (const from of [join(process.cwd(), 'noop.js'), import.meta.url]) {
    try {
      return createRequire(from).resolve(HOOK);
    } catch {
      // Try the next place.
    }
  }
  return undefined;
}

if (!esmLoaderRegistered()) {
  const hook = resolveHook();
  if (hook === undefined) {
    process.stderr.write(
      '[xray-otel-bridge] WARN xray-otel-bridge/register: @opentelemetry/instrumentation is not installed (every instrumentation brings it), ' +
        'so ES modules cannot be patched; run `npm install @opentelemetry/instrumentation@^0.223.0`\n',
    );
  } else {
    register(pathToFileURL(hook).href, import.meta.url);
    markEsmLoaderRegistered();
  }
}
