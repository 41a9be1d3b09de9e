import { RateLimitedLog, resolveLogger, warnOnce, type Logger } from '../logger.js';
import { DEFAULT_MAX_DATAGRAM_BYTES, HARD_MAX_DATAGRAM_BYTES } from '../transport/header.js';
import type { ResolvedTranslateOptions } from './translate/context.js';


export interface TranslateOptions {
  /** Attribute keys to index as annotations, on every span. */
  indexedAttributes?: string[];
  /** Index every attribute whose value allows it (X-Ray keeps 50 per document). */
  indexAllAttributes?: boolean;
  /** Keep `.` in annotation keys (default true); false maps it to `_` as older X-Ray required. */
  annotationKeyDots?: boolean;
  /**
   * Copy the resource's attributes into each segment's metadata as `otel.resource.*` (default
   * true, as the Collector does); false keeps segments to what the spans say.
   */
  resourceMetadata?: boolean;
  /** Embed child subsegments in their parent's document when both are in one batch (default true). */
  nest?: boolean;
  /** Upper bound for one datagram, header included (default 64,000; at most 65,507). */
  maxDatagramBytes?: number;
  /** Where warnings go (default: stderr, level from `AWS_XRAY_LOG_LEVEL`, `warn` when unset). */
  logger?: Logger;
  /**
   * Record the SQL text that instrumentations put on spans (`db.query.text`, `db.statement`) as
   * `sanitized_query`, as the X-Ray SDKs do only when asked. Default: the environment variable
   * `AWS_XRAY_COLLECT_SQL_QUERIES=true`. A query given to the recorder (`setSql`) is always kept.
   */
  collectSqlQueries?: boolean;
}

/** Who the one-time warnings are said for when no logger is given: the process's default logger. */
const DEFAULT_LOGGER_OWNER = {};

/**
 * Options with defaults applied. The environment is read here, once per exporter (or
 * `toSegmentDocuments` call), never per span.
 */
export function resolveTranslateOptions(options: TranslateOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedTranslateOptions {
  const owner = options.logger ?? DEFAULT_LOGGER_OWNER;
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
    resourceMetadata: options.resourceMetadata !== false,
    nest: options.nest !== false,
    maxDatagramBytes: Math.floor(max),
    logger,
    warnings: new RateLimitedLog(logger),
    warnOnce: (kind, message) => warnOnce(owner, logger, kind, message),
    // After the resource's service.name: OTel's variable (which the SDK's resource detection would
    // have read), then the X-Ray SDKs' one.
    serviceNameFromEnv: nonEmpty(env.OTEL_SERVICE_NAME) ?? nonEmpty(env.AWS_XRAY_TRACING_NAME),
    collectSqlQueries: options.collectSqlQueries ?? env.AWS_XRAY_COLLECT_SQL_QUERIES?.toLowerCase() === 'true',
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v === undefined || v === '' ? undefined : v;
}
