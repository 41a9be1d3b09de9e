import type { StackFrame } from '../../document.js';
import { parseDotnetStack } from './dotnet.js';
import { parseGoStack } from './go.js';
import { parseJavaStack } from './java.js';
import { parseJavaScriptStack } from './javascript.js';
import { parsePythonStack } from './python.js';

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

// A Map, not an object literal: the language comes from telemetry and may be `constructor`.
const PARSERS: ReadonlyMap<string, Parser> = new Map([
  ['java', parseJavaStack],
  // The JVM languages and PHP's OTel SDK print Java's format.
  ['kotlin', parseJavaStack],
  ['php', parseJavaStack],
  ['python', parsePythonStack],
  ['dotnet', parseDotnetStack],
  ['go', parseGoStack],
]);

const TYPE_NAME = /^[\p{L}_$][\p{L}\p{N}_$.`+<>[\],\\/-]*$/u;

/**
 * Parses `exception.stacktrace` in the format of the resource's `telemetry.sdk.language`
 * (anything unknown is read as V8's, this package's own runtime). Never throws: text that is
 * not a stack trace gives no frames.
 */
export function parseStack(stacktrace: string, language: string | undefined): ParsedStack {
  if (stacktrace === '') return { frames: [] };
  const parser = (language !== undefined ? PARSERS.get(language.toLowerCase()) : undefined) ?? parseJavaScriptStack;
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
