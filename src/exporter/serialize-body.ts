import { randomBytes } from 'node:crypto';
import type { EntityDocument, ExceptionDocument, StackFrame } from './document.js';
import { sharedFramesJson } from './translate/stack/memo.js';

// Stands in for a stack whose JSON is already written. JSON cannot hold it by chance: it starts
// with a NUL and ends in 64 random bits, so only text that knows this process's secret matches.
const PLACEHOLDER = `\u0000xray-stack:${randomBytes(8).toString('hex')}`;
const PLACEHOLDER_JSON = JSON.stringify(PLACEHOLDER);

/**
 * `JSON.stringify(body)`, with each exception's stack that is a shared frame list written from
 * its kept JSON instead of serialized again: an exception's frames are most of a failing span's
 * document, and a failing service sends the same frames over and over. The text is exactly what
 * `JSON.stringify(body)` gives.
 */
export function stringifyBody(body: EntityDocument): string {
  const cause = body.cause;
  const exceptions = typeof cause === 'object' ? cause.exceptions : undefined;
  if (exceptions === undefined) return JSON.stringify(body);
  let swapped: ExceptionDocument[] | undefined;
  let stacks: StackFrame[][] | undefined;
  let texts: string[] | undefined;
  for (const exception of exceptions) {
    const stack = exception.stack;
    const text = stack !== undefined ? sharedFramesJson(stack) : undefined;
    if (text === undefined) continue;
    (swapped ??= []).push(exception);
    (stacks ??= []).push(stack!);
    (texts ??= []).push(text);
    // Swapped in place and back (never seen outside this call): copying the documents would cost
    // more than the frames save.
    (exception as { stack?: unknown }).stack = PLACEHOLDER;
  }
  if (swapped === undefined) return JSON.stringify(body);
  let json: string;
  try {
    json = JSON.stringify(body);
  } finally {
    for (let i = 0; i < swapped.length; i++) swapped[i]!.stack = stacks![i];
  }
  let out = '';
  let from = 0;
  // JSON.stringify writes the exceptions in array order, so the placeholders come in that order.
  for (const text of texts!) {
    const at = json.indexOf(PLACEHOLDER_JSON, from);
    out += json.slice(from, at) + text;
    from = at + PLACEHOLDER_JSON.length;
  }
  return out + json.slice(from);
}
