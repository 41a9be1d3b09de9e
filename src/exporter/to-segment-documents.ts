import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SegmentDocument } from './document.js';
import { resolveTranslateOptions, type TranslateOptions } from './options.js';
import { assembleDocuments } from './assemble.js';

/**
 * Translates spans into X-Ray segment documents exactly as the exporter sends them: nested
 * within the batch, shrunk to the size limit, unsampled spans left out. Pure apart from warnings.
 */
export function toSegmentDocuments(spans: readonly ReadableSpan[], options?: TranslateOptions): SegmentDocument[] {
  return assembleDocuments(spans, resolveTranslateOptions(options), { objects: true }).documents.map((d) => d.doc!);
}
