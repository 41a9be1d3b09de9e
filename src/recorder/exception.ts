import type { AttributeValue } from '@opentelemetry/api';
import { ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_STACKTRACE, ATTR_EXCEPTION_TYPE } from '@opentelemetry/semantic-conventions';
import { read } from './values.js';

/**
 * `exception.*` attributes as `span.recordException` writes them, for any thrown value. Each field
 * is read on its own, so a getter that throws costs that field only.
 */
export function exceptionAttributes(err: unknown): Record<string, AttributeValue> {
  const attrs: Record<string, AttributeValue> = {};
  const isErrorLike =
    read(() => err instanceof Error || (typeof err === 'object' && err !== null && ('message' in err || 'name' in err))) === true;
  if (isErrorLike) {
    const e = err as { name?: unknown; message?: unknown; stack?: unknown; constructor?: { name?: unknown } };
    const name = read(() => e.name);
    const ctor = read(() => e.constructor?.name);
    attrs[ATTR_EXCEPTION_TYPE] = typeof name === 'string' && name !== '' ? name : typeof ctor === 'string' && ctor !== '' ? ctor : 'Error';
    const message = read(() => (e.message === undefined ? undefined : String(e.message)));
    if (message !== undefined) attrs[ATTR_EXCEPTION_MESSAGE] = message;
    const stack = read(() => e.stack);
    if (typeof stack === 'string') attrs[ATTR_EXCEPTION_STACKTRACE] = stack;
  } else {
    attrs[ATTR_EXCEPTION_TYPE] = err === null ? 'null' : typeof err;
    attrs[ATTR_EXCEPTION_MESSAGE] = read(() => String(err)) ?? '[unprintable thrown value]';
  }
  return attrs;
}
