// Set by `xray-otel-bridge/register` (which is bundled on its own, so the flag lives on globalThis).
const LOADER_KEY = Symbol.for('xray-otel-bridge.esm-loader');
type GlobalWithFlag = typeof globalThis & { [LOADER_KEY]?: boolean };

export function esmLoaderRegistered(): boolean {
  return (globalThis as GlobalWithFlag)[LOADER_KEY] === true;
}

export function markEsmLoaderRegistered(): void {
  (globalThis as GlobalWithFlag)[LOADER_KEY] = true;
}
