import type { StackFrame } from '../../document.js';
import { parseDotnetStack } from './dotnet.js';
import { parseGoStack } from './go.js';
import { parseJavaStack } from './java.js';
import { parseJavaScriptStack } from './javascript.js';
import { parsePythonStack } from './python.js';
import { MAX_MEMO_STACK_CHARS, StackMemo, fingerprint, shareFrames } from './memo.js';

/** X-Ray's SDKs keep this many frames per exception; the rest is only counted. */
export const MAX_STACK_FRAMES = 50;
/**
 * A `Caused by:` chain longer than this is cut in the middle: the first links and the root
 * cause stay, since those are what someone reading the trace looks for.
 */
export const MAX_CAUSES = 10;

/** What a language parser reads from one stack trace, before limits and clean-up apply. */
export interface RawStack {
  /** Most recent call first, whatever order the language prints them in; each made by `stackFrame`. */
  frames: StackFrame[];
  /** Frames the text itself says it left out (Java's `... 5 more`). */
  omitted?: number;
  /** The exceptions behind this one, nearest first (Java `Caused by:`, .NET inner exceptions,
   * Python chained tracebacks). */
  causes?: RawCause[];
}

export interface RawCause {
  /** The `Type: message` text the trace prints for this exception. */
  header: string;
  frames: StackFrame[];
  omitted?: number;
}

export interface ParsedCause {
  type?: string;
  message?: string;
  frames: StackFrame[];
  truncated?: number;
  /** Links of the chain left out between this exception and the one it caused. */
  skipped?: number;
}

export interface ParsedStack {
  /** At most `MAX_STACK_FRAMES`, most recent call first. */
  frames: StackFrame[];
  truncated?: number;
  /** Causes found in the text (an addition to the X-Ray frames: the Collector emits them too). */
  causes?: ParsedCause[];
}

type Parser = (stacktrace: string) => RawStack;

/** A stack format: its parser, and the results it gave lately (see `StackMemo`). */
interface StackFormat {
  readonly parse: Parser;
  readonly memo: StackMemo<ParsedStack>;
}

const format = (parse: Parser): StackFormat => ({ parse, memo: new StackMemo<ParsedStack>() });
const JAVA = format(parseJavaStack);
const JAVASCRIPT = format(parseJavaScriptStack);

// A Map, not an object literal: the language comes from telemetry and may be `constructor`.
const FORMATS: ReadonlyMap<string, StackFormat> = new Map([
  ['java', JAVA],
  // The JVM languages and PHP's OTel SDK print Java's format.
  ['kotlin', JAVA],
  ['php', JAVA],
  ['python', format(parsePythonStack)],
  ['dotnet', format(parseDotnetStack)],
  ['go', format(parseGoStack)],
]);

/** Where V8's frame lines start: every one is `    at …`, after the `Type: message` lines. */
const V8_FIRST_FRAME = '\n    at ';

const TYPE_NAME = /^[\p{L}_$][\p{L}\p{N}_$.`+<>[\],\\/-]*$/u;

/**
 * Parses `exception.stacktrace` in the format of the resource's `telemetry.sdk.language`
 * (anything unknown is read as V8's, this package's own runtime). Never throws: text that is
 * not a stack trace gives no frames. A stack seen again is not parsed again: that result is
 * shared with other calls for the same stack, frozen, and its frame lists carry their JSON
 * (`sharedFramesJson`).
 */
export function parseStack(stacktrace: string, language: string | undefined): ParsedStack {
  if (stacktrace === '') return { frames: [] };
  const fmt = (language !== undefined ? FORMATS.get(language.toLowerCase()) : undefined) ?? JAVASCRIPT;
  if (stacktrace.length > MAX_MEMO_STACK_CHARS) return parseWith(fmt.parse, stacktrace);
  let key = stacktrace;
  if (fmt === JAVASCRIPT) {
    // V8's parser reads each line on its own, so when the message lines give no frame, the frame
    // lines alone decide the result: one code path failing with different messages (an id, a
    // value) is one memo entry.
    const first = stacktrace.indexOf(V8_FIRST_FRAME);
    if (first > 0 && parseJavaScriptStack(stacktrace.slice(0, first)).frames.length === 0) key = stacktrace.slice(first + 1);
  }
  const print = fingerprint(key);
  const known = fmt.memo.get(key, print);
  if (known !== undefined) return known;
  const parsed = parseWith(fmt.parse, key);
  if (fmt.memo.worthKeeping(print)) fmt.memo.set(key, print, shared(parsed), stacktrace.length);
  return parsed;
}

function parseWith(parser: Parser, stacktrace: string): ParsedStack {
  let raw: RawStack;
  try {
    raw = parser(stacktrace);
  } catch {
    // The parsers are written not to throw; this only keeps a bug in one from losing the span.
    return { frames: [] };
  }
  const top = limitFrames(raw.frames, raw.omitted);
  const out: ParsedStack = { frames: top.frames };
  if (top.truncated !== undefined) out.truncated = top.truncated;
  if (raw.causes && raw.causes.length > 0) out.causes = limitCauses(raw.causes);
  return out;
}

function shared(parsed: ParsedStack): ParsedStack {
  shareFrames(parsed.frames);
  for (const cause of parsed.causes ?? []) {
    shareFrames(cause.frames);
    Object.freeze(cause);
  }
  if (parsed.causes) Object.freeze(parsed.causes);
  return Object.freeze(parsed);
}

function limitFrames(frames: StackFrame[], omitted: number | undefined): { frames: StackFrame[]; truncated?: number } {
  const extra = Math.max(frames.length - MAX_STACK_FRAMES, 0);
  const kept = extra > 0 ? frames.slice(0, MAX_STACK_FRAMES) : frames;
  const truncated = extra + (omitted !== undefined && Number.isSafeInteger(omitted) && omitted > 0 ? omitted : 0);
  return truncated > 0 ? { frames: kept, truncated } : { frames: kept };
}

function limitCauses(raw: RawCause[]): ParsedCause[] {
  let kept = raw;
  let skipped = 0;
  if (raw.length > MAX_CAUSES) {
    skipped = raw.length - MAX_CAUSES;
    kept = [...raw.slice(0, MAX_CAUSES - 1), raw[raw.length - 1]!];
  }
  return kept.map((c, i) => {
    const limited = limitFrames(c.frames, c.omitted);
    const cause: ParsedCause = { ...splitHeader(c.header), frames: limited.frames };
    if (limited.truncated !== undefined) cause.truncated = limited.truncated;
    if (skipped > 0 && i === kept.length - 1) cause.skipped = skipped;
    return cause;
  });
}

/**
 * `pkg.Type: message` → type and message. Text before the first colon only counts as a type
 * when it looks like one; otherwise the whole text is the message (a cause line never loses
 * what it says).
 */
export function splitHeader(header: string): { type?: string; message?: string } {
  const text = header.trim();
  if (text === '') return {};
  const colon = text.indexOf(':');
  const head = colon >= 0 ? text.slice(0, colon) : text;
  if (!TYPE_NAME.test(head)) return { message: text };
  if (colon < 0) return { type: head };
  const message = text.slice(colon + 1).trim();
  return message === '' ? { type: head } : { type: head, message };
}
