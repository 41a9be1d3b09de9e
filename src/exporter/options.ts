import { RateLimitedLog, resolveLogger, type Logger } from '../logger.js';
import { DEFAULT_MAX_DATAGRAM_BYTES, HARD_MAX_DATAGRAM_BYTES } from '../transport/header.js';
import type { ResolvedTranslateOptions } from './translate/context.js';


export interface TranslateOptions {
  /** Attribute keys to index as annotations, on every span. */
  indexedAttributes?: string[];
  /** Index every attribute whose value allows it (X-Ray keeps 50 per document). */
  indexAllAttributes?: boolean;
  /** Keep `.` in annotation keys (default true); false maps it to `_` as older X-Ray required. */
  annotationKeyDots?: boolean;
  /** Embed child subsegments in their parent's document when both are in one batch (default true). */
  nest?: boolean;
  /** Upper bound for one datagram, header included (default 64,000; at most 65,507). */
  maxDatagramBytes?: number;
  /** Where warnings go (default: stderr, level from `AWS_XRAY_LOG_LEVEL`, `warn` when unset). */
  logger?: Logger;
}

export function resolveTranslateOptions(options: TranslateOptions = {}): ResolvedTranslateOptions {
  const logger = resolveLogger(options.logger);
  let max = options.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES;
  if (!Number.isFinite(max) || max < 1024 || max > HARD_MAX_DATAGRAM_BYTES) {
    const clamped = Number.isFinite(max) ? Math.min(Math.max(Math.floor(max), 1024), HARD_MAX_DATAGRAM_BYTES) : DEFAULT_MAX_DATAGRAM_BYTES;
    logger.warn(`maxDatagramBytes ${String(options.maxDatagramBytes)} is outside 1024..${HARD_MAX_DATAGRAM_BYTES}; using ${clamped}`);
    max = clamped;
  }
  return {
    indexedAttributes: new Set(options.indexedAttributes ?? []),
    indexAllAttributes: options.indexAllAttributes === true,
    annotationKeyDots: options.annotationKeyDots !== false,
    nest: options.nest !== false,
    maxDatagramBytes: Math.floor(max),
    logger,
    warnings: new RateLimitedLog(logger),
  };
}
