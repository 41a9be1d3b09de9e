import type { ValidateFunction } from 'ajv';
import type { SegmentDocument } from '../exporter/document.js';
import { splitDatagram, XRAY_DOCUMENT_LIMIT_BYTES } from '../transport/header.js';
import { describe, explainErrors } from './explain.js';
import { loadShippedSchema } from './package-root.js';
import { deriveSchemas, warningsFor } from './xray-leniency.js';

/** X-Ray's limit for one segment document (kB, not KiB: a KiB limit could never trip over UDP). */
export const MAX_DOCUMENT_BYTES = XRAY_DOCUMENT_LIMIT_BYTES;

/** At most this many reasons (and as many warnings) per document; the rest are counted. */
export const MAX_MESSAGES = 20;

/**
 * What X-Ray will do with a document: take it as sent, take it but drop or ignore parts
 * (`warnings` say which), or refuse it whole (`errors` say why).
 */
export type Verdict = 'accepted' | 'accepted-with-loss' | 'rejected';

/** The verdict on one datagram; also the `--json` output line. */
export interface DatagramReport {
  /** X-Ray (and the daemon) would take it: `verdict` is not "rejected". */
  ok: boolean;
  verdict: Verdict;
  /** Why X-Ray (or the daemon) would reject it, one plain sentence each; empty when ok. */
  errors: string[];
  /** What X-Ray will drop or ignore in a document it takes. */
  warnings: string[];
  /** The parsed body when it was JSON, even when rejected, so the reader can see what was sent. */
  document: Record<string, unknown> | null;
  /** Size of the datagram as received, header included. */
  bytes: number;
}

export type DatagramValidator = (datagram: Buffer | string) => DatagramReport;

interface Compiled {
  strictDocument: ValidateFunction;
  strictEntity: ValidateFunction;
  lenientDocument: ValidateFunction;
  lenientEntity: ValidateFunction;
}

let compiled: Compiled | undefined;
let compiling: Promise<void> | undefined;

/**
 * Loads ajv and compiles the schemas, once per process; call (and await) before validating.
 * Compiling takes a few hundred ms: done lazily it would stall the event loop at the first
 * datagram (in-process, the application's loop too). ajv is loaded here, not at the top, so
 * importing the package for the exporter alone never pays for it.
 */
export function prepareValidator(): Promise<void> {
  compiling ??= (async () => {
    const { Ajv } = await import('ajv');
    const ajv = new Ajv({ allErrors: true, strict: false });
    const { strict, lenient } = deriveSchemas(loadShippedSchema());
    ajv.addSchema(strict).addSchema(lenient);
    compiled = {
      strictDocument: ajv.getSchema('xray-strict.json')!,
      lenientDocument: ajv.getSchema('xray-lenient.json')!,
      strictEntity: ajv.compile({ $ref: 'xray-strict.json#/definitions/entity' }),
      lenientEntity: ajv.compile({ $ref: 'xray-lenient.json#/definitions/entity' }),
    };
  })();
  return compiling;
}

function validators(): Compiled {
  if (compiled === undefined) throw new Error('the segment-document schema is not compiled yet: await prepareValidator() first');
  return compiled;
}

/** Checks one datagram as the daemon and then X-Ray would. */
export function validateDatagram(datagram: Buffer | string): DatagramReport {
  return checkDatagram(datagram).report;
}

/** A verdict and the body as received (for copying it out exactly), when there was one. */
export interface CheckedDatagram {
  report: DatagramReport;
  body: string | undefined;
}

export function checkDatagram(datagram: Buffer | string): CheckedDatagram {
  const bytes = typeof datagram === 'string' ? Buffer.byteLength(datagram) : datagram.length;
  const split = splitDatagram(datagram);
  if (!split.ok) return { report: rejected([split.reason], null, bytes), body: undefined };

  let parsed: unknown;
  try {
    parsed = JSON.parse(split.body);
  } catch (err) {
    return { report: rejected([`document is not JSON: ${(err as Error).message}`], null, bytes), body: split.body };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { report: rejected([`document must be a JSON object, got ${describe(parsed)}`], null, bytes), body: split.body };
  }
  const document = parsed as Record<string, unknown>;
  const { errors, warnings } = checkDocument(document);
  const bodyBytes = Buffer.byteLength(split.body);
  if (bodyBytes > MAX_DOCUMENT_BYTES) {
    errors.unshift(`document is ${bodyBytes} bytes; X-Ray's limit is 64 kB (${MAX_DOCUMENT_BYTES} bytes)`);
  }
  const verdict: Verdict = errors.length > 0 ? 'rejected' : warnings.length > 0 ? 'accepted-with-loss' : 'accepted';
  return { report: { ok: verdict !== 'rejected', verdict, errors, warnings, document, bytes }, body: split.body };
}

function rejected(errors: string[], document: Record<string, unknown> | null, bytes: number): DatagramReport {
  return { ok: false, verdict: 'rejected', errors, warnings: [], document, bytes };
}

/** Schema errors of one parsed document as plain sentences (empty when X-Ray would take it). */
export function validateDocument(document: unknown): string[] {
  return checkDocument(document).errors;
}

/**
 * Checks the document and each nested subsegment on its own, walking the tree with an explicit
 * stack (depth costs no call stack), in document order. Strict first: a valid document (the
 * usual case) costs one ajv call per entity.
 */
export function checkDocument(document: unknown): { errors: string[]; warnings: string[] } {
  const v = validators();
  const errors = new Messages();
  const warnings = new Messages();
  const stack: Array<{ entity: unknown; at: string[] }> = [{ entity: document, at: [] }];
  while (stack.length > 0) {
    const { entity, at } = stack.pop()!;
    const top = at.length === 0;
    const strict = top ? v.strictDocument : v.strictEntity;
    if (!strict(entity)) {
      const strictErrors = strict.errors ?? [];
      const lenient = top ? v.lenientDocument : v.lenientEntity;
      if (!lenient(entity)) errors.add(explainErrors({ errors: lenient.errors ?? [], entity, at }));
      warnings.add(warningsFor({ errors: strictErrors, entity, at }));
    }
    const children = isRecord(entity) && Array.isArray(entity.subsegments) ? entity.subsegments : [];
    for (let i = children.length - 1; i >= 0; i--) {
      if (isRecord(children[i])) stack.push({ entity: children[i], at: [...at, 'subsegments', String(i)] });
    }
  }
  return { errors: errors.list(), warnings: warnings.list() };
}

/** Distinct messages up to MAX_MESSAGES, then a count of the rest. */
class Messages {
  private readonly kept: string[] = [];
  private readonly seen = new Set<string>();
  private more = 0;

  add(messages: readonly string[]): void {
    for (const m of messages) {
      if (this.seen.has(m)) continue;
      if (this.kept.length < MAX_MESSAGES) {
        this.seen.add(m);
        this.kept.push(m);
      } else {
        this.more++;
      }
    }
  }

  list(): string[] {
    if (this.more === 0) return this.kept;
    return [...this.kept, `… and ${this.more.toLocaleString('en-US')} more like these (the first ${MAX_MESSAGES} are shown)`];
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function isSegmentDocument(report: DatagramReport): report is DatagramReport & { document: SegmentDocument } {
  return report.ok && report.document !== null;
}
