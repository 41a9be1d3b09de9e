import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { ATTR_XRAY_ANNOTATIONS, ATTR_XRAY_METADATA_PREFIX } from '../../common/attributes.js';
import type { AnnotationValue } from '../document.js';
import type { TranslateContext } from './context.js';
import { truncateCodePoints } from './text.js';
import { CREDENTIAL_BEARING_KEYS, stripCredentials } from './credentials.js';

/** X-Ray indexes at most 50 annotations per trace; more in one document is certainly too many. */
const MAX_ANNOTATIONS = 50;
const MAX_ANNOTATION_KEY_LENGTH = 500;
const MAX_ANNOTATION_STRING_CODE_POINTS = 1000;
const DEFAULT_NAMESPACE = 'default';
const RESOURCE_PREFIX = 'otel.resource.';

const VALID_KEY_WITH_DOTS = /^[A-Za-z0-9_.]+$/;
const INVALID_KEY_CHAR_WITH_DOTS = /[^A-Za-z0-9_.]/gu;
const VALID_KEY_NO_DOTS = /^[A-Za-z0-9_]+$/;
// `u`: a character outside the BMP becomes one `_`, not two.
const INVALID_KEY_CHAR_NO_DOTS = /[^A-Za-z0-9_]/gu;

export interface AnnotationsAndMetadata {
  annotations?: Record<string, AnnotationValue>;
  metadata?: Record<string, Record<string, unknown>>;
}

/**
 * The document's `annotations` and `metadata` (docs/translation.md §4). Runs after every other
 * block: attributes they turned into X-Ray fields (`ctx.consumed`) are not repeated in metadata,
 * though an explicitly indexed one still becomes an annotation, as in the Collector. Nothing else
 * is dropped: a value that cannot be an annotation (wrong type, key collision, over the limit)
 * lands in `metadata.default` under its original key.
 */
export function annotationsAndMetadata(ctx: TranslateContext): AnnotationsAndMetadata {
  const b = new Builder(ctx);
  const attrs = ctx.attributes;
  const listed = ctx.recorderKeys ? attrs[ATTR_XRAY_ANNOTATIONS] : undefined;
  const indexed = ctx.options.indexedAttributes;
  const indexAll = ctx.options.indexAllAttributes;
  const consumed = ctx.consumed;
  // Merged after the plain attributes so that, on a clash, the attribute set directly on the span wins whatever the order.
  let defaultNamespaceObjects: Record<string, unknown>[] | undefined;

  for (const key of ctx.keys) {
    const value = attrs[key];
    if (value === undefined || value === null || key === ATTR_XRAY_ANNOTATIONS) continue;
    const isConsumed = consumed.has(key);

    if (key.startsWith(ATTR_XRAY_METADATA_PREFIX)) {
      if (isConsumed) continue;
      const namespace = key.slice(ATTR_XRAY_METADATA_PREFIX.length);
      const parsed = namespace !== '' && typeof value === 'string' ? parseJsonObject(value) : undefined;
      if (parsed === undefined) b.setDefault(key, metadataValue(value));
      else if (namespace.length === DEFAULT_NAMESPACE.length && namespace.toLowerCase() === DEFAULT_NAMESPACE) (defaultNamespaceObjects ??= []).push(parsed);
      else b.setNamespace(namespace, parsed);
      continue;
    }

    // A connection string or URL no block took (a non-SQL database, a second URL key) still must not carry a password.
    const safe = typeof value === 'string' && CREDENTIAL_BEARING_KEYS.has(key) ? stripCredentials(value) : value;
    const annotate = isListed(listed, key) || indexed.has(key) || (indexAll && !isConsumed);
    if (annotate && b.annotate(key, safe)) continue;
    if (!isConsumed) b.setDefault(key, metadataValue(safe));
  }

  if (defaultNamespaceObjects !== undefined) {
    for (const obj of defaultNamespaceObjects) {
      for (const k of Object.keys(obj)) b.setDefaultIfAbsent(k, obj[k]);
    }
  }

  if (ctx.isSegment && ctx.options.resourceMetadata) {
    for (const [fullKey, value, meta] of resourceEntries(ctx.resource)) {
      // Only explicit listing: with `indexAllAttributes` the ~20 resource attributes would crowd out the span's own.
      if ((isListed(listed, fullKey) || indexed.has(fullKey)) && b.annotate(fullKey, value)) continue;
      b.setDefaultIfAbsent(fullKey, meta);
    }
  }

  return b.finish();
}

class Builder {
  private annotations: Record<string, AnnotationValue> | undefined;
  private annotationCount = 0;
  private overLimit = 0;
  private defaults: Record<string, unknown> | undefined;
  private namespaces: Record<string, Record<string, unknown>> | undefined;

  constructor(private readonly ctx: TranslateContext) {}

  /** False when `value` cannot be an annotation under `key`; the caller then keeps it as metadata. */
  annotate(key: string, value: AttributeValue): boolean {
    const annotation = annotationValue(value);
    if (annotation === undefined) return false;
    const fixed = annotationKey(key, this.ctx.options.annotationKeyDots);
    if (fixed === '') return false;
    if (this.annotations !== undefined && Object.hasOwn(this.annotations, fixed)) return false;
    if (this.annotationCount >= MAX_ANNOTATIONS) {
      this.overLimit++;
      return false;
    }
    setOwn((this.annotations ??= {}), fixed, annotation);
    this.annotationCount++;
    return true;
  }

  setDefault(key: string, value: unknown): void {
    setOwn((this.defaults ??= {}), key, value);
  }

  setDefaultIfAbsent(key: string, value: unknown): void {
    const d = (this.defaults ??= {});
    if (!Object.hasOwn(d, key)) setOwn(d, key, value);
  }

  setNamespace(namespace: string, value: Record<string, unknown>): void {
    setOwn((this.namespaces ??= {}), namespace, value);
  }

  finish(): AnnotationsAndMetadata {
    if (this.overLimit > 0) {
      this.ctx.options.warnings.warn(
        'annotation-limit',
        `span "${this.ctx.span.name}" has more than ${MAX_ANNOTATIONS} annotations; X-Ray indexes at most ${MAX_ANNOTATIONS}, so ${this.overLimit} went to metadata instead`,
      );
    }
    let metadata = this.namespaces;
    if (this.defaults !== undefined) (metadata ??= {})[DEFAULT_NAMESPACE] = this.defaults;
    const out: AnnotationsAndMetadata = {};
    if (this.annotations !== undefined) out.annotations = this.annotations;
    if (metadata !== undefined) out.metadata = metadata;
    return out;
  }
}

function isListed(listed: AttributeValue | undefined, key: string): boolean {
  if (listed === undefined) return false;
  // Non-string elements can never equal a key, so the array needs no filtering first.
  if (Array.isArray(listed)) return (listed as readonly unknown[]).includes(key);
  return listed === key;
}

function annotationValue(value: AttributeValue): AnnotationValue | undefined {
  switch (typeof value) {
    case 'string':
      return truncateCodePoints(value, MAX_ANNOTATION_STRING_CODE_POINTS);
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return value;
    default:
      return undefined;
  }
}

function annotationKey(key: string, keepDots: boolean): string {
  const valid = keepDots ? VALID_KEY_WITH_DOTS : VALID_KEY_NO_DOTS;
  const fixed = valid.test(key) ? key : key.replace(keepDots ? INVALID_KEY_CHAR_WITH_DOTS : INVALID_KEY_CHAR_NO_DOTS, '_');
  return fixed.length > MAX_ANNOTATION_KEY_LENGTH ? fixed.slice(0, MAX_ANNOTATION_KEY_LENGTH) : fixed;
}

/**
 * JSON has no NaN or Infinity: `JSON.stringify` would write null and lose the value, so those
 * numbers travel as their string form.
 */
type ResourceEntry = readonly [fullKey: string, value: AttributeValue, metadata: unknown];
// Keyed by the resource's memoized attributes object: prefixed keys are built once per provider.
const resourceEntryCache = new WeakMap<Attributes, readonly ResourceEntry[]>();

function resourceEntries(resource: Attributes): readonly ResourceEntry[] {
  let entries = resourceEntryCache.get(resource);
  if (entries === undefined) {
    entries = [];
    for (const key of Object.keys(resource)) {
      const value = resource[key];
      if (value === undefined || value === null) continue;
      (entries as ResourceEntry[]).push([RESOURCE_PREFIX + key, value, metadataValue(value)]);
    }
    resourceEntryCache.set(resource, entries);
  }
  return entries;
}

function metadataValue(value: AttributeValue): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (Array.isArray(value) && value.some(isNonFiniteNumber)) {
    return (value as readonly unknown[]).map((v) => (isNonFiniteNumber(v) ? String(v) : v));
  }
  return value;
}

function isNonFiniteNumber(v: unknown): boolean {
  return typeof v === 'number' && !Number.isFinite(v);
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  // Skips the exception path for the plain strings users most often put here.
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `obj[key] = value` that also works for `__proto__`: plain assignment would call the prototype
 * setter instead of creating the key, losing the value or swapping the object's prototype.
 */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}
