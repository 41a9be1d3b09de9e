import type { ErrorObject, ValidateFunction } from 'ajv';
import type { SegmentDocument } from '../exporter/document.js';
import { NAME_CHARACTERS } from '../shared/names.js';
import { splitDatagram, XRAY_DOCUMENT_LIMIT_BYTES } from '../transport/header.js';
import { loadShippedSchema } from './package-root.js';

/** X-Ray's limit for one segment document (kB, not KiB: a KiB limit could never trip over UDP). */
export const MAX_DOCUMENT_BYTES = XRAY_DOCUMENT_LIMIT_BYTES;

/** The verdict on one datagram; also the `--json` output line. */
export interface DatagramReport {
  ok: boolean;
  /** Why X-Ray (or the daemon) would reject it, one plain sentence each; empty when ok. */
  errors: string[];
  /** The parsed body when it was JSON, even when rejected, so the reader can see what was sent. */
  document: Record<string, unknown> | null;
  /** Size of the datagram as received, header included. */
  bytes: number;
}

export type DatagramValidator = (datagram: Buffer | string) => DatagramReport;

let compiled: ValidateFunction | undefined;
let compiling: Promise<void> | undefined;

/**
 * Loads ajv and compiles the shipped schema, once per process; call (and await) before
 * validating. Compiling takes a few hundred ms: done lazily it would stall the event loop at
 * the first datagram (in-process, the application's loop too). ajv is loaded here, not at the
 * top, so importing the package for the exporter alone never pays for it.
 */
export function prepareValidator(): Promise<void> {
  compiling ??= (async () => {
    const { Ajv } = await import('ajv');
    compiled = new Ajv({ allErrors: true, strict: false }).compile(loadShippedSchema());
  })();
  return compiling;
}

function schemaValidator(): ValidateFunction {
  if (compiled === undefined) throw new Error('the segment-document schema is not compiled yet: await prepareValidator() first');
  return compiled;
}

/** Checks one datagram as the daemon and then X-Ray would. */
export function validateDatagram(datagram: Buffer | string): DatagramReport {
  const bytes = typeof datagram === 'string' ? Buffer.byteLength(datagram) : datagram.length;
  const split = splitDatagram(datagram);
  if (!split.ok) return { ok: false, errors: [split.reason], document: null, bytes };

  let parsed: unknown;
  try {
    parsed = JSON.parse(split.body);
  } catch (err) {
    return { ok: false, errors: [`document is not JSON: ${(err as Error).message}`], document: null, bytes };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, errors: [`document must be a JSON object, got ${describe(parsed)}`], document: null, bytes };
  }
  const document = parsed as Record<string, unknown>;
  const errors = validateDocument(document);
  const bodyBytes = Buffer.byteLength(split.body);
  if (bodyBytes > MAX_DOCUMENT_BYTES) {
    errors.unshift(`document is ${bodyBytes} bytes; X-Ray's limit is 64 kB (${MAX_DOCUMENT_BYTES} bytes)`);
  }
  return { ok: errors.length === 0, errors, document, bytes };
}

/** Schema errors of one parsed document as plain sentences (empty when X-Ray would take it). */
export function validateDocument(document: unknown): string[] {
  const validate = schemaValidator();
  if (validate(document)) return [];
  return explain(validate.errors ?? [], document);
}

export function isSegmentDocument(report: DatagramReport): report is DatagramReport & { document: SegmentDocument } {
  return report.ok && report.document !== null;
}

// ---------------------------------------------------------------------------------------------
// ajv's errors name schema keywords; people need to know which field is wrong and why X-Ray cares.

const NAME_CHAR = new RegExp(`^[${NAME_CHARACTERS}]$`, 'u');

function explain(errors: readonly ErrorObject[], document: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (message: string | undefined) => {
    if (message !== undefined && !seen.has(message)) {
      seen.add(message);
      out.push(message);
    }
  };
  for (const e of errors) {
    if (isNoise(e, errors)) continue;
    add(sentence(e, document));
  }
  return out;
}

/** Errors that only restate another error, or belong to a branch of anyOf/oneOf that the combined message covers. */
function isNoise(e: ErrorObject, all: readonly ErrorObject[]): boolean {
  switch (e.keyword) {
    case 'if':
    case 'propertyNames':
      return true;
    case 'required':
      // The "end_time or in_progress" alternatives; the entity's anyOf error says it once.
      return /\/anyOf\/\d+\/required$/.test(e.schemaPath);
    case 'const':
      return /\/anyOf\/\d+\/properties\/in_progress\/const$/.test(e.schemaPath);
    case 'oneOf':
      // cause: when something inside the object (or the id's pattern) is wrong, that is the message.
      return all.some((o) => o !== e && o.instancePath.startsWith(e.instancePath) && !isBranchTypeError(o, e));
    default:
      if (isAnnotationValue(e.instancePath) && e.schemaPath.includes('/anyOf/')) return true;
      return all.some((c) => c.keyword === 'oneOf' && isBranchTypeError(e, c));
  }
}

function isBranchTypeError(e: ErrorObject, oneOf: ErrorObject): boolean {
  return e.keyword === 'type' && e.instancePath === oneOf.instancePath;
}

function isAnnotationValue(instancePath: string): boolean {
  return /(^|\/)annotations\/[^/]+$/.test(instancePath);
}

function sentence(e: ErrorObject, document: unknown): string {
  const segments = pointerSegments(e.instancePath);
  const field = label(segments);
  const value = valueAt(document, segments);
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
      return `${field} must be ${article(String(p.type))}, got ${describe(value)}`;
    case 'const':
      if (last === 'type') return `${field} must be "subsegment" or left out (for a segment), got ${describe(value)}`;
      return `${field} must be ${JSON.stringify(p.allowedValue)}, got ${describe(value)}`;
    case 'enum':
      return `${field} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${describe(value)}`;
    case 'minimum':
      return `${field} must be at least ${String(p.limit)}, got ${describe(value)}`;
    case 'maximum':
      return `${field} must be at most ${String(p.limit)}, got ${describe(value)}`;
    case 'maxLength':
      return `${field} is ${[...String(value)].length} characters; X-Ray's limit is ${String(p.limit)}`;
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

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `subsegments[0].http.request`, the way people write paths into JSON. */
function label(segments: readonly string[]): string {
  if (segments.length === 0) return 'document';
  let out = '';
  for (const s of segments) {
    if (/^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** "subsegments[0] " for a nested entity, "" for the document itself. */
function where(segments: readonly string[]): string {
  return segments.length === 0 ? '' : `${label(segments)} `;
}

function valueAt(document: unknown, segments: readonly string[]): unknown {
  let v: unknown = document;
  for (const s of segments) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

function article(type: string): string {
  if (type === 'object' || type === 'integer' || type === 'array') return `an ${type}`;
  return `a ${type}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const json = JSON.stringify(value);
  const shown = json.length > 60 ? `${json.slice(0, 57)}...` : json;
  return `${typeof value} ${shown}`;
}
