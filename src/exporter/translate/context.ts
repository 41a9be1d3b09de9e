import { SpanKind, type Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ATTR_RPC_SYSTEM, ATTR_RPC_SYSTEM_NAME } from '@opentelemetry/semantic-conventions/incubating';
import { ATTR_XRAY_PREFIX, RPC_SYSTEM_AWS_API } from '../../common/attributes.js';
import type { Logger, RateLimitedLog } from '../../logger.js';

/** Translation options after defaults are applied (see `ExporterOptions`). */
export interface ResolvedTranslateOptions {
  /** Attribute keys that always become annotations (when their value allows). */
  indexedAttributes: ReadonlySet<string>;
  indexAllAttributes: boolean;
  /** Keep `.` in annotation keys (X-Ray accepts it today); false maps it to `_`. */
  annotationKeyDots: boolean;
  /** Resource attributes as `otel.resource.*` metadata on segments. */
  resourceMetadata: boolean;
  nest: boolean;
  maxDatagramBytes: number;
  logger: Logger;
  /** For warnings that repeat per span (limits hit, bad values): once a minute per kind. */
  warnings: RateLimitedLog;
  /** For a setting that stays wrong (no service name): once per logger, for the life of the process. */
  warnOnce: (kind: string, message: string) => void;
  /** `OTEL_SERVICE_NAME`, else `AWS_XRAY_TRACING_NAME`: segment names when the resource has none. */
  serviceNameFromEnv: string | undefined;
  /** `sanitized_query` from instrumentations' SQL text (the recorder's is always kept). */
  collectSqlQueries: boolean;
}

/**
 * What every translation block reads. Blocks are pure functions of this context; a block that
 * turns an attribute into an X-Ray field calls `consume(key)` so the attribute is not repeated
 * in metadata.
 */
export interface TranslateContext {
  readonly span: ReadableSpan;
  readonly kind: SpanKind;
  readonly attributes: Attributes;
  /** `Object.keys(attributes)`, taken once per span. */
  readonly keys: readonly string[];
  /**
   * Whether any key has the recorder's `aws.xray.` prefix. Spans from OTel instrumentations have
   * none, and then the blocks skip looking up each of the recorder's keys.
   */
  readonly recorderKeys: boolean;
  readonly resource: Attributes;
  /** True when the document is a segment (not a subsegment). */
  readonly isSegment: boolean;
  readonly options: ResolvedTranslateOptions;
  /** Attribute keys already turned into X-Ray fields by some block. */
  readonly consumed: ConsumedKeys;
}

/**
 * The attribute keys a span's blocks turned into fields. A span consumes a handful at most (each
 * block reads a fixed few keys), so a short list searched by identity beats a Set: no hashing,
 * and no allocation at all for the many spans that consume nothing. Reads like a Set.
 */
export class ConsumedKeys implements Iterable<string> {
  private keys: string[] | undefined = undefined;

  add(key: string): void {
    if (this.keys === undefined) this.keys = [key];
    else if (!this.keys.includes(key)) this.keys.push(key);
  }

  has(key: string): boolean {
    return this.keys !== undefined && this.keys.includes(key);
  }

  get size(): number {
    return this.keys?.length ?? 0;
  }

  [Symbol.iterator](): Iterator<string> {
    return (this.keys ?? []).values();
  }
}

export function createContext(span: ReadableSpan, isSegment: boolean, options: ResolvedTranslateOptions): TranslateContext {
  const keys = Object.keys(span.attributes);
  return {
    span,
    kind: span.kind,
    attributes: span.attributes,
    keys,
    recorderKeys: hasRecorderKey(keys),
    resource: span.resource?.attributes ?? {},
    isSegment,
    options,
    consumed: new ConsumedKeys(),
  };
}

function hasRecorderKey(keys: readonly string[]): boolean {
  for (let i = 0; i < keys.length; i++) if (keys[i]!.startsWith(ATTR_XRAY_PREFIX)) return true;
  return false;
}

export function isClientLike(kind: SpanKind): boolean {
  return kind === SpanKind.CLIENT || kind === SpanKind.PRODUCER;
}

export function isServerLike(kind: SpanKind): boolean {
  return kind === SpanKind.SERVER || kind === SpanKind.CONSUMER;
}

/**
 * Whether the span has a (defined) attribute under any of `signals`. Blocks that read many
 * possible keys ask this first: a span has a handful of attributes, and a miss in a Set is far
 * cheaper than a dozen missed property reads on every span.
 */
export function hasAnyKey(ctx: TranslateContext, signals: ReadonlySet<string>): boolean {
  const { keys, attributes } = ctx;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (signals.has(key) && attributes[key] !== undefined) return true;
  }
  return false;
}

/** The first of `keys` whose attribute is a non-empty string; marks it consumed. */
export function takeString(ctx: TranslateContext, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const v = ctx.attributes[key];
    if (typeof v === 'string' && v !== '') {
      ctx.consumed.add(key);
      return v;
    }
  }
  return undefined;
}

/** An AWS SDK call, by the old or the new RPC system key. */
export function isAwsApi(attrs: Attributes): boolean {
  return attrs[ATTR_RPC_SYSTEM] === RPC_SYSTEM_AWS_API || attrs[ATTR_RPC_SYSTEM_NAME] === RPC_SYSTEM_AWS_API;
}

/** Reads without consuming: for attributes that decide something but are still worth keeping. */
export function peekString(attrs: Attributes, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const v = attrs[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

/** The JSON object held by attribute `key` (consumed), or undefined when there is none or it is not one. */
export function takeJsonObject(ctx: TranslateContext, key: string): Record<string, unknown> | undefined {
  const v = ctx.attributes[key];
  if (typeof v !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  ctx.consumed.add(key);
  return parsed as Record<string, unknown>;
}
