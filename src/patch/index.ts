// X-Ray's module-level `patch` and `patch_all` (Python: `from aws_xray_sdk.core import patch, patch_all`).
import { xrayRecorder } from '../recorder/index.js';
import type { PatchRequest, PatchResult } from './patch.js';

export type { PatchRequest, PatchResult } from './patch.js';

/** `xrayRecorder.patch(modules)`: the default recorder's tracer provider and logger. */
export function patch(modules: PatchRequest): PatchResult {
  return xrayRecorder.patch(modules);
}

/** `xrayRecorder.patchAll()`. */
export function patchAll(): PatchResult {
  return xrayRecorder.patchAll();
}

/** Python's spelling of `patchAll`. */
export const patch_all: typeof patchAll = patchAll;
