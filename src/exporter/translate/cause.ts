import { randomBytes } from 'node:crypto';
import { SpanStatusCode, type AttributeValue } from '@opentelemetry/api';
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_TELEMETRY_SDK_LANGUAGE,
  EVENT_EXCEPTION,
} from '@opentelemetry/semantic-conventions';
import { ATTR_XRAY_ERROR, ATTR_XRAY_EXCEPTION_REMOTE, ATTR_XRAY_FAULT, ATTR_XRAY_THROTTLE } from '../../common/attributes.js';
import type { CauseBlock, ExceptionDocument } from '../document.js';
import { isClientLike, peekString, takeString, type TranslateContext } from './context.js';
import { parseStack, type ParsedCause } from './stack/index.js';

/** OpenCensus-era status text; the Collector falls back to it for a status-only cause. */
const ATTR_HTTP_STATUS_TEXT = 'http.status_text';

export interface ErrorFlags {
  error?: true;
  fault?: true;
  throttle?: true;
}

/**
 * X-Ray's three failure flags. The HTTP status decides when there is one in 400–599 (4xx is
 * the caller's error, 429 also a throttle, 5xx a fault); otherwise a span with status ERROR is
 * a fault. The recorder's explicit `aws.xray.*` booleans override both, either way.
 */
export function errorFlags(ctx: TranslateContext, httpStatus: number | undefined): Readonly<ErrorFlags> {
  let error = false;
  let fault = false;
  let throttle = false;
  if (httpStatus !== undefined && httpStatus >= 400 && httpStatus <= 499) {
    error = true;
    throttle = httpStatus === 429;
  } else if (httpStatus !== undefined && httpStatus >= 500 && httpStatus <= 599) {
    fault = true;
  } else {
    fault = ctx.span.status.code === SpanStatusCode.ERROR;
  }
  if (ctx.recorderKeys) {
    error = override(ctx, ATTR_XRAY_ERROR, error);
    fault = override(ctx, ATTR_XRAY_FAULT, fault);
    throttle = override(ctx, ATTR_XRAY_THROTTLE, throttle);
  }
  return FLAGS[(error ? 1 : 0) | (fault ? 2 : 0) | (throttle ? 4 : 0)]!;
}

/** Every combination of the flags, indexed by error | fault << 1 | throttle << 2: one shared, frozen object each, not one per span. */
const FLAGS: ReadonlyArray<Readonly<ErrorFlags>> = Array.from({ length: 8 }, (_, bits) => {
  const flags: ErrorFlags = {};
  if (bits & 1) flags.error = true;
  if (bits & 2) flags.fault = true;
  if (bits & 4) flags.throttle = true;
  return Object.freeze(flags);
});

/** Only a real boolean overrides (and is consumed); anything else stays an ordinary attribute. */
function override(ctx: TranslateContext, key: string, derived: boolean): boolean {
  const v = ctx.attributes[key];
  if (typeof v !== 'boolean') return derived;
  ctx.consumed.add(key);
  return v;
}

/**
 * The `cause` object: one exception per `exception` event (plus the causes its stack trace
 * names, linked through `cause`), or, for a span with status ERROR and no such event, one
 * exception holding the status message. Undefined when there is neither.
 */
export function causeBlock(ctx: TranslateContext): CauseBlock | undefined {
  const { span } = ctx;
  const remote = isClientLike(ctx.kind);
  let exceptions: ExceptionDocument[] | undefined;
  let language: string | undefined;

  for (const event of span.events) {
    if (event.name !== EVENT_EXCEPTION) continue;
    if (exceptions === undefined) {
      exceptions = [];
      language = peekString(ctx.resource, ATTR_TELEMETRY_SDK_LANGUAGE);
    }
    const attrs = event.attributes ?? {};
    const exception: ExceptionDocument = { id: newExceptionId() };
    const type = text(attrs[ATTR_EXCEPTION_TYPE]);
    const message = text(attrs[ATTR_EXCEPTION_MESSAGE]);
    if (type !== undefined) exception.type = type;
    if (message !== undefined) exception.message = message;
    if (remote || attrs[ATTR_XRAY_EXCEPTION_REMOTE] === true) exception.remote = true;
    exceptions.push(exception);

    const stacktrace = text(attrs[ATTR_EXCEPTION_STACKTRACE]);
    if (stacktrace === undefined || stacktrace === '') continue;
    const parsed = parseStack(stacktrace, language);
    if (parsed.frames.length > 0) exception.stack = parsed.frames;
    if (parsed.truncated !== undefined) exception.truncated = parsed.truncated;
    let effect = exception;
    for (const c of parsed.causes ?? []) {
      const cause = causeException(c, remote);
      effect.cause = cause.id;
      exceptions.push(cause);
      effect = cause;
    }
  }

  if (exceptions === undefined) {
    if (span.status.code !== SpanStatusCode.ERROR) return undefined;
    // Status ERROR without an exception event: the status message is all there is to show,
    // and no exception type is known, so none is invented.
    const message = span.status.message || takeString(ctx, ATTR_HTTP_STATUS_TEXT);
    if (!message) return undefined;
    const exception: ExceptionDocument = { id: newExceptionId(), message };
    if (remote) exception.remote = true;
    exceptions = [exception];
  }

  const block: CauseBlock = {};
  const cwd = workingDirectory();
  if (cwd !== undefined) block.working_directory = cwd;
  block.exceptions = exceptions;
  return block;
}

function causeException(c: ParsedCause, remote: boolean): ExceptionDocument {
  const out: ExceptionDocument = { id: newExceptionId() };
  if (c.type !== undefined) out.type = c.type;
  if (c.message !== undefined) out.message = c.message;
  if (remote) out.remote = true;
  if (c.frames.length > 0) out.stack = c.frames;
  if (c.truncated !== undefined) out.truncated = c.truncated;
  if (c.skipped !== undefined) out.skipped = c.skipped;
  return out;
}

/** Exception attributes should be strings; a number or boolean is still worth showing. */
function text(v: AttributeValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * Read per call, not once at load: the process may `chdir`, and the paths in the stack are
 * relative to where it is when the error happens. Node caches the value between `chdir`
 * calls, and only spans with a cause get here, so it costs nothing worth saving.
 */
function workingDirectory(): string | undefined {
  try {
    return process.cwd();
  } catch {
    // The directory was deleted under the process (ENOENT): leave the field out.
    return undefined;
  }
}

const ID_BYTES = 8;
const IDS_PER_POOL = 128;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/**
 * 16 random lowercase hex digits. One `randomBytes` call serves 128 ids: the CSPRNG call, not
 * the hex encoding, is what costs on a burst of failing spans.
 */
function newExceptionId(): string {
  if (poolOffset + ID_BYTES > pool.length) {
    pool = randomBytes(ID_BYTES * IDS_PER_POOL);
    poolOffset = 0;
  }
  const id = pool.toString('hex', poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return id;
}
