// The public surface. Everything else under src/ is internal and may change.
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
export type { Logger } from './logger.js';
export type { TranslateOptions } from './exporter/options.js';
