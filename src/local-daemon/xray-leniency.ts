import type { ErrorObject } from 'ajv';
import { describe, label, pointerSegments, valueAt, type EntityErrors } from './explain.js';

// The shipped schema is this project's contract: what the exporter writes, stricter than X-Ray.
// X-Ray itself takes some documents the contract refuses, and drops parts of them. The stand-in
// must say what X-Ray will do, so it checks against a relaxed copy of the schema (the verdict)
// and turns what only the strict one refuses into warnings. Each relaxation below is a behaviour
// of X-Ray seen with documents that AWS's own SDKs and developer guide write (test/fixtures/xray-corpus).

type Json = Record<string, unknown>;

/**
 * The two schemas the stand-in compiles, from the shipped one. In both, nested subsegments are
 * only checked to be objects: the validator walks them itself, one entity at a time, so no
 * document nests ajv's recursion (a 750-level document overflowed the stack) and errors stay
 * per entity (linear to explain).
 */
export function deriveSchemas(shipped: object): { strict: Json; lenient: Json } {
  const strict = structuredClone(shipped) as Json;
  strict.$id = 'xray-strict.json';
  at(strict, ['definitions', 'entity', 'properties']).subsegments = { type: 'array', items: { type: 'object' } };

  const lenient = structuredClone(strict);
  lenient.$id = 'xray-lenient.json';
  const entity = at(lenient, ['definitions', 'entity', 'properties']);
  // X-Ray's published schema types namespace as any string; only aws/remote draw service-map nodes.
  entity.namespace = { type: 'string' };
  // X-Ray keeps the document and drops annotations whose keys it cannot index.
  delete at(entity, ['annotations']).propertyNames;
  // The developer guide's own example has -1; the Node SDK's AWS SDK v2 patcher writes the header string.
  at(entity, ['http', 'properties', 'response', 'properties']).content_length = {
    anyOf: [{ type: 'number' }, { type: 'string', pattern: '^-?[0-9]+$' }],
  };
  const exception = at(lenient, ['definitions', 'exception', 'properties']);
  // "A 16 character exception ID", says the guide; nothing about hex.
  exception.id = { type: 'string', minLength: 16, maxLength: 16 };
  // The Node SDK writes null for frames without a line (node:internal, <anonymous>).
  at(exception, ['stack', 'items', 'properties']).line = { type: ['integer', 'null'] };
  return { strict, lenient };
}

function at(root: Json, path: readonly string[]): Json {
  let v: unknown = root;
  for (const key of path) {
    v = v !== null && typeof v === 'object' ? (v as Json)[key] : undefined;
    if (v === null || typeof v !== 'object') {
      throw new Error(`the shipped schema has no ${path.join('.')}; the stand-in's relaxations need updating`);
    }
  }
  return v as Json;
}

/**
 * What X-Ray will do about one error that only the strict schema reports (the document is
 * accepted). Every relaxation above has its sentence; anything else says the strict reason.
 */
export function warningsFor({ errors, entity, at: where }: EntityErrors): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const w = warning(e, entity, where);
    if (w !== undefined) out.push(w);
  }
  return out;
}

const ANNOTATIONS = /(^|\/)annotations$/;
const CONTENT_LENGTH = /\/http\/response\/content_length$/;
const EXCEPTION_ID = /\/exceptions\/\d+\/id$/;
const STACK_LINE = /\/stack\/\d+\/line$/;
const NAMESPACE = /^\/namespace$/;

function warning(e: ErrorObject, entity: unknown, where: readonly string[]): string | undefined {
  const own = pointerSegments(e.instancePath);
  const field = label([...where, ...own]);
  const value = valueAt(entity, own);
  const p = e.params as Record<string, unknown>;
  const entityLabel = where.length === 0 ? '' : `${label(where)}: `;

  if (e.keyword === 'propertyNames' || e.keyword === 'if' || e.keyword === 'oneOf') return undefined;
  if (e.keyword === 'pattern' && ANNOTATIONS.test(e.instancePath) && (e.propertyName ?? p.propertyName) !== undefined) {
    const key = String(e.propertyName ?? p.propertyName);
    return `${entityLabel}annotation ${JSON.stringify(key)} will be dropped: X-Ray keeps only annotation keys of 1 to 500 letters, digits, "_" or "."`;
  }
  if (NAMESPACE.test(e.instancePath)) {
    return `${field} is ${describe(value)}, not "aws" or "remote": X-Ray keeps it, but draws no service-map node for this call`;
  }
  if (CONTENT_LENGTH.test(e.instancePath)) {
    if (e.keyword === 'type') {
      return `${field} is ${describe(value)}, not a number: X-Ray keeps it as sent; this project's exporter writes a number`;
    }
    if (e.keyword === 'minimum') return `${field} is ${describe(value)}: X-Ray keeps it (read as "length unknown")`;
  }
  if (EXCEPTION_ID.test(e.instancePath)) {
    return `${field} ${JSON.stringify(value)} is not 16 hex digits: X-Ray keeps it, but a "cause" elsewhere can only refer to a hex id`;
  }
  if (STACK_LINE.test(e.instancePath)) {
    return `${field} is ${describe(value)}: X-Ray keeps the frame, without a line number`;
  }
  return undefined;
}
