// The public surface at `xray-otel-bridge`: the exporter, `registerXRay` and the recorder. The local
// daemon is at `xray-otel-bridge/local-daemon` (src/local-daemon/index.ts). Everything else under
// src/ is internal and may change.
import { setPipelineHook } from './recorder/pipeline-hook.js';
import { autoPipeline } from './setup/auto.js';
export { toSegmentDocuments } from './exporter/to-segment-documents.js';
export { XRayUdpSpanExporter } from './exporter/xray-udp-exporter.js';
export type { XRayUdpSpanExporterOptions, XRayExporterStats, SendFrom } from './exporter/xray-udp-exporter.js';
export type { TranslateOptions } from './exporter/options.js';
export { parseDaemonAddress } from './transport/address.js';
export type { DaemonAddress, DaemonEndpoint } from './transport/address.js';
export { registerXRay } from './setup/register.js';
export type { PatchRequest, PatchResult } from './patch/patch.js';
export type { RegisterXRayOptions, XRayRegistration } from './setup/register.js';
export { createLocalRulesSampler, XRayParentBasedSampler, XRayPropagator } from './sampling/index.js';
export type { SamplingOption, SamplingRulesDocument, SamplingRulesDocumentRule, LocalRulesSamplerOptions } from './sampling/index.js';
export {
  xrayRecorder,
  xray_recorder,
  patch,
  patchAll,
  patch_all,
  XRayRecorder,
  Entity,
  Segment,
  Subsegment,
  SegmentNotFoundError,
} from './recorder/index.js';
export type {
  RecorderOptions,
  BeginSegmentOptions,
  SubsegmentOptions,
  SubsegmentNamespace,
  ContextMissingStrategy,
  ContextMissingName,
  Capture,
  CaptureDecorator,
  CapturableFunction,
  AnnotationInput,
  ExceptionOptions,
} from './recorder/index.js';
export type { Logger } from './logger.js';
export { XRayBridgeError, DaemonAddressError, ExporterOptionError, ExporterShutDownError } from './common/errors.js';
export type {
  SegmentDocument,
  EntityDocument,
  AnnotationValue,
  HttpBlock,
  HttpRequest,
  HttpResponse,
  SqlBlock,
  AwsBlock,
  CauseBlock,
  ExceptionDocument,
  StackFrame,
  LinkDocument,
} from './exporter/document.js';

// A recorder over the global provider registers the X-Ray pipeline at first use when the
// application registered none, as the X-Ray SDKs worked without any setup.
setPipelineHook((logger) => autoPipeline.ensure(logger));
