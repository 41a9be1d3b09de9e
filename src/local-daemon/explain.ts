import type { ErrorObject } from 'ajv';
import { NAME_CHARACTERS } from '../common/names.js';

// ajv's errors name schema keywords; people need to know which field is wrong and why X-Ray cares.
// Everything here is linear in the number of errors: a 60 kB datagram can carry 80,000 of them.

const NAME_CHAR = new RegExp(`^[${NAME_CHARACTERS}]$`, 'u');
const ANYOF_REQUIRED = /\/anyOf\/\d+\/required$/;
const ANYOF_IN_PROGRESS = /\/anyOf\/\d+\/properties\/in_progress\/const$/;
const ANNOTATION_VALUE = /(^|\/)annotations\/[^/]+$/;
const INDEX = /^\d+$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One entity's schema errors, with where that entity sits in the document. */
export interface EntityErrors {
  errors: readonly ErrorObject[];
  /** The entity the errors' instance paths are relative to. */
  entity: unknown;
  /** Its path from the document root (`["subsegments", "0"]`); empty for the document itself. */
  at: readonly string[];
}

/** Plain sentences, in error order, without the restatements ajv produces for anyOf/oneOf. */
export function explainErrors({ errors, entity, at }: EntityErrors): string[] {
  const noise = noiseFilter(errors);
  const out: string[] = [];
  for (const e of errors) {
    if (!noise(e)) out.push(sentence(e, entity, at));
  }
  return out;
}

/**
 * Which errors only restate another one. The oneOf check used to scan every other error for
 * each error (quadratic); the paths of oneOf errors and of their non-trivial inner errors are
 * collected once instead.
 */
function noiseFilter(all: readonly ErrorObject[]): (e: ErrorObject) => boolean {
  const oneOfPaths = new Set<string>();
  for (const e of all) if (e.keyword === 'oneOf') oneOfPaths.add(e.instancePath);
  const explainedInside = new Set<string>();
  if (oneOfPaths.size > 0) {
    for (const e of all) {
      if (e.keyword === 'oneOf') continue;
      for (const prefix of prefixes(e.instancePath)) {
        if (!oneOfPaths.has(prefix)) continue;
        // A type error at the oneOf's own path is one branch failing, not an explanation.
        if (!(e.keyword === 'type' && e.instancePath === prefix)) explainedInside.add(prefix);
      }
    }
  }
  return (e) => {
    switch (e.keyword) {
      case 'if':
      case 'propertyNames':
        return true;
      case 'required':
        // The "end_time or in_progress" alternatives; the entity's anyOf error says it once.
        return ANYOF_REQUIRED.test(e.schemaPath);
      case 'const':
        return ANYOF_IN_PROGRESS.test(e.schemaPath);
      case 'oneOf':
        // cause: when something inside the object (or the id's pattern) is wrong, that is the message.
        return explainedInside.has(e.instancePath);
      default:
        // anyOf branches: the anyOf error itself says what was expected.
        if ((isAnnotationValue(e.instancePath) || e.instancePath.endsWith('/content_length')) && e.schemaPath.includes('/anyOf/')) return true;
        return e.keyword === 'type' && oneOfPaths.has(e.instancePath);
    }
  };
}

/** "/a/b/c" → "", "/a", "/a/b", "/a/b/c" (a JSON pointer and its ancestors). */
function prefixes(pointer: string): string[] {
  const out = [''];
  for (let i = pointer.indexOf('/', 1); i > 0; i = pointer.indexOf('/', i + 1)) out.push(pointer.slice(0, i));
  if (pointer !== '') out.push(pointer);
  return out;
}

export function isAnnotationValue(instancePath: string): boolean {
  return ANNOTATION_VALUE.test(instancePath);
}

function sentence(e: ErrorObject, entity: unknown, at: readonly string[]): string {
  const own = pointerSegments(e.instancePath);
  const segments = [...at, ...own];
  const field = label(segments);
  const value = valueAt(entity, own);
  const last = segments[segments.length - 1];
  const p = e.params as Record<string, unknown>;

  if (e.schemaPath.includes('/definitions/name/')) {
    return nameSentence(e, field, value);
  }
  if (e.schemaPath.includes('/definitions/hexId/') && e.keyword === 'pattern') {
    return `${field} ${JSON.stringify(value)} must be 16 lowercase hex digits`;
  }
  if (e.schemaPath.includes('/definitions/traceId/') && e.keyword === 'pattern') {
    return (
      `${field} ${JSON.stringify(value)} is not an X-Ray trace id (InvalidTraceId): ` +
      'it must look like 1-5759e988-bd862e3fe1be46a994272793 (1, 8 hex digits of epoch seconds, 24 hex digits, lowercase)'
    );
  }

  switch (e.keyword) {
    case 'required': {
      const missing = String(p.missingProperty);
      if (missing === 'parent_id') {
        return `${where(segments) || 'document '}is an independent subsegment ("type": "subsegment") without "parent_id", the id of the entity that called it`;
      }
      if (missing === 'trace_id' && segments.length === 0) {
        return 'document is missing "trace_id": every top-level segment and independent subsegment needs it';
      }
      if (missing === 'id' && !segments.includes('exceptions')) return `${where(segments) || 'document '}is missing "id" (MissingId)`;
      return `${where(segments) || 'document '}is missing "${missing}"`;
    }
    case 'anyOf':
      if (isAnnotationValue(e.instancePath)) {
        if (typeof value === 'string') {
          return `${field} is ${[...value].length} characters; X-Ray's limit for an annotation value is 1000`;
        }
        return `${field} must be a string of at most 1000 characters, a number or a boolean, got ${describe(value)}`;
      }
      if (last === 'content_length') return `${field} must be a number, got ${describe(value)}`;
      return `${where(segments) || 'document '}has neither "end_time" nor "in_progress": true; X-Ray needs one of them`;
    case 'oneOf':
      return `${field} must be an exception id (16 lowercase hex digits) or an object with "exceptions", got ${describe(value)}`;
    case 'pattern':
      if (typeof e.propertyName === 'string' || typeof p.propertyName === 'string') {
        const key = String(e.propertyName ?? p.propertyName);
        return `${field} key ${JSON.stringify(key)} is not allowed: keys are 1 to 500 letters, digits, "_" or "."`;
      }
      return `${field} ${JSON.stringify(value)} does not have the form X-Ray expects (${String(p.pattern)})`;
    case 'type':
      return `${field} must be ${typeWords(p.type)}, got ${describe(value)}`;
    case 'const':
      if (last === 'type') return `${field} must be "subsegment" or left out (for a segment), got ${describe(value)}`;
      return `${field} must be ${JSON.stringify(p.allowedValue)}, got ${describe(value)}`;
    case 'enum':
      return `${field} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${describe(value)}`;
    case 'minimum':
      return `${field} must be at least ${String(p.limit)}, got ${describe(value)}`;
    case 'maximum':
      return `${field} must be at most ${String(p.limit)}, got ${describe(value)}`;
    case 'minLength':
    case 'maxLength':
      if (last === 'id' && segments.includes('exceptions')) {
        return `${field} is ${[...String(value)].length} characters; an exception id has 16`;
      }
      return e.keyword === 'maxLength'
        ? `${field} is ${[...String(value)].length} characters; X-Ray's limit is ${String(p.limit)}`
        : `${field} is ${[...String(value)].length} characters; it must be at least ${String(p.limit)}`;
    case 'additionalProperties':
      return `${field} has a field X-Ray does not accept: ${JSON.stringify(p.additionalProperty)}`;
    default:
      return `${field} ${e.message ?? 'is invalid'}`;
  }
}

function nameSentence(e: ErrorObject, field: string, value: unknown): string {
  if (typeof value !== 'string') return `${field} must be a string (InvalidName), got ${describe(value)}`;
  if (value === '') return `${field} is empty (InvalidName)`;
  if (e.keyword === 'maxLength') {
    return `${field} is ${[...value].length} characters; X-Ray's limit is 200 (InvalidName)`;
  }
  const bad = [...new Set([...value].filter((c) => !NAME_CHAR.test(c)))];
  return `${field} ${JSON.stringify(value)} has characters X-Ray rejects (InvalidName): ${bad.map((c) => JSON.stringify(c)).join(' ')}`;
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `subsegments[0].http.request`, the way people write paths into JSON. */
export function label(segments: readonly string[]): string {
  if (segments.length === 0) return 'document';
  let out = '';
  for (const s of segments) {
    if (INDEX.test(s)) out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** "subsegments[0] " for a nested entity, "" for the document itself. */
function where(segments: readonly string[]): string {
  return segments.length === 0 ? '' : `${label(segments)} `;
}

export function valueAt(root: unknown, segments: readonly string[]): unknown {
  let v: unknown = root;
  for (const s of segments) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, s)) return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

function typeWords(type: unknown): string {
  const one = (t: string) => (t === 'object' || t === 'integer' || t === 'array' ? `an ${t}` : t === 'null' ? 'null' : `a ${t}`);
  return Array.isArray(type) ? type.map((t) => one(String(t))).join(' or ') : one(String(type));
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const json = JSON.stringify(value);
  const shown = json.length > 60 ? `${json.slice(0, 57)}...` : json;
  return `${typeof value} ${shown}`;
}
