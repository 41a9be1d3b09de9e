// What the package exports from the recorder facade (re-exported by src/index.ts).
import type { PatchRequest, PatchResult } from '../patch/patch.js';
import { XRayRecorder } from './recorder.js';

export { XRayRecorder } from './recorder.js';
export type { RecorderOptions, BeginSegmentOptions, SubsegmentOptions } from './recorder.js';
export { Entity } from './entity.js';
export type { AnnotationInput, ExceptionOptions } from './entity.js';
export { Segment } from './segment.js';
export { Subsegment } from './subsegment.js';
export type { SubsegmentNamespace } from './subsegment.js';
export { SegmentNotFoundError } from './context-missing.js';
export type { ContextMissingStrategy, ContextMissingName } from './context-missing.js';
export type { Capture, CaptureDecorator, CapturableFunction } from './capture.js';

/** The default recorder, over the global tracer provider (`trace.getTracer('xray-otel-bridge')`). */
export const xrayRecorder: XRayRecorder = new XRayRecorder();
/** Python's name for the default recorder: `from aws_xray_sdk.core import xray_recorder`. */
export const xray_recorder: XRayRecorder = xrayRecorder;

// X-Ray's module-level `patch` and `patch_all` (Python: `from aws_xray_sdk.core import patch, patch_all`).
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
