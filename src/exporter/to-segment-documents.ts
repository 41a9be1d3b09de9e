import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { EntityDocument, SegmentDocument } from './document.js';
import { resolveTranslateOptions, type TranslateOptions } from './options.js';
import { assembleDocuments } from './assemble.js';
import { sharedFramesJson } from './translate/stack/memo.js';

/**
 * Translates spans into X-Ray segment documents exactly as the exporter sends them: nested
 * within the batch, shrunk to the size limit, unsampled spans left out. Pure apart from warnings.
 * The documents are the caller's to change.
 */
export function toSegmentDocuments(spans: readonly ReadableSpan[], options?: TranslateOptions): SegmentDocument[] {
  const docs = assembleDocuments(spans, resolveTranslateOptions(options), { objects: true }).documents.map((d) => d.doc!);
  for (const doc of docs) ownStacks(doc);
  return docs;
}

/**
 * Replaces the frozen frame lists the exporter shares between documents (a stack seen again, see
 * `parseStack`) with copies: a caller editing a document, in strict code, would otherwise get a
 * TypeError, and only for stacks that happened to repeat.
 */
function ownStacks(doc: EntityDocument): void {
  if (typeof doc.cause === 'object') {
    for (const exception of doc.cause.exceptions ?? []) {
      const stack = exception.stack;
      if (stack !== undefined && sharedFramesJson(stack) !== undefined) exception.stack = stack.map((frame) => ({ ...frame }));
    }
  }
  for (const child of doc.subsegments ?? []) ownStacks(child);
}
