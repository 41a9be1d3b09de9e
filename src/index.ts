// The public surface. Everything else under src/ is internal and may change.
export { toSegmentDocuments } from './exporter/to-segment-documents.js';
export { XRayUdpSpanExporter } from './exporter/xray-udp-exporter.js';
export type { XRayUdpSpanExporterOptions, XRayExporterStats } from './exporter/xray-udp-exporter.js';
export type { TranslateOptions } from './exporter/options.js';
export { parseDaemonAddress } from './transport/address.js';
export type { DaemonAddress, DaemonEndpoint } from './transport/address.js';
export { registerXRay } from './setup/register.js';
export { startLocalDaemon, ListenError } from './local-daemon/server.js';
export type { LocalDaemon, LocalDaemonOptions, DatagramEvent } from './local-daemon/server.js';
export { renderTrace } from './local-daemon/render-tree.js';
export type { RegisterXRayOptions, XRayRegistration } from './setup/register.js';
export {
  xrayRecorder,
  xray_recorder,
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
  CaptureDecorator,
  AnnotationInput,
  ExceptionOptions,
} from './recorder/index.js';
export type { Logger } from './logger.js';
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
