import type { StackFrame } from '../../document.js';
import type { RawStack } from './index.js';
import { stackFrame } from './frame.js';

// Every failing span's stack goes through here, so the V8 form (the one this package's own
// runtime prints) is read with indexOf and char codes; only the rare forms use regexes.

/** SpiderMonkey and JavaScriptCore (browsers, `webjs`): `label@location`; Safari's labels may
 * end in ` code` (`global code@…`). */
const GECKO_FRAME = /^\s*([^\s@]*(?: code)?)@(.+)$/;
/** `Promise.all (index 0)`: a position in the argument list, not a file. */
const PROMISE_INDEX = /^index \d+$/;
const WINDOWS_DRIVE_URL_PATH = /^\/[A-Za-z]:\//;
/** Nested `eval at` origins deeper than this are not followed (they do not occur in practice). */
const MAX_EVAL_DEPTH = 16;

const CR = 0x0d;
const OPEN = 0x28; // (
const CLOSE = 0x29; // )

/**
 * Parses a V8 `Error.stack` (and, for browsers, the `f@url:line:col` form of Firefox and
 * Safari). Lines that are not frames (the `Type: message` header, a multi-line message) are
 * skipped. Labels are V8's text before the location, without the trailing space the Collector
 * leaves on them: `async f`, `new C` and `Object.m [as alias]` stay as V8 prints them, because
 * that is what a reader matches against their own console output.
 */
export function parseJavaScriptStack(stacktrace: string): RawStack {
  const frames: StackFrame[] = [];
  let start = 0;
  while (start <= stacktrace.length) {
    const newline = stacktrace.indexOf('\n', start);
    const stop = newline < 0 ? stacktrace.length : newline;
    // `\r\n` ends a line as `\n` does; a lone `\r` does not.
    const end = newline > start && stacktrace.charCodeAt(newline - 1) === CR ? newline - 1 : stop;
    const frame = parseLine(stacktrace, start, end);
    if (frame) frames.push(frame);
    start = stop + 1;
  }
  return { frames };
}

/** The frame on `text[start, end)`, if that line is one. */
function parseLine(text: string, start: number, end: number): StackFrame | undefined {
  // `    at label (location)` or `    at location`: `at` after any indentation, then spaces.
  let i = start;
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  if (i + 2 < end && text.charCodeAt(i) === 0x61 /* a */ && text.charCodeAt(i + 1) === 0x74 /* t */ && isSpace(text.charCodeAt(i + 2))) {
    let bodyStart = i + 3;
    while (bodyStart < end && isSpace(text.charCodeAt(bodyStart))) bodyStart++;
    let bodyEnd = end;
    while (bodyEnd > bodyStart && isSpace(text.charCodeAt(bodyEnd - 1))) bodyEnd--;
    return parseV8Body(text, bodyStart, bodyEnd);
  }
  const line = text.slice(start, end);
  if (line.includes('@')) {
    const gecko = GECKO_FRAME.exec(line);
    if (gecko) return parseGecko(gecko[1]!, gecko[2]!.trimEnd());
  }
  return undefined;
}

/** The frame of a V8 line whose text after `at ` is `text[start, end)` (trimmed). */
function parseV8Body(text: string, start: number, end: number): StackFrame | undefined {
  if (start === end) return undefined;
  if (text.charCodeAt(end - 1) === CLOSE) {
    const open = matchingOpenParen(text, start, end);
    // V8 always separates the label from `(location)` by a space; `name(File.java:12)` is a
    // foreign format (a Java trace read as JavaScript) and yields nothing rather than garbage.
    if (open <= start || text.charCodeAt(open - 1) !== 0x20) return undefined;
    let labelEnd = open - 1;
    while (labelEnd > start && isSpace(text.charCodeAt(labelEnd - 1))) labelEnd--;
    return parseLocation(text, open + 1, end - 1, text.slice(start, labelEnd));
  }
  // A bare location: `/abs/file.js:1:2`, `node:internal/…:1:2`, `<anonymous>`, `native`, and
  // V8's async frame of an anonymous function, `async file:///x.mjs:1:2` or `async /x.js:1:2`:
  // the marker becomes the label (as for `async f (…)`), never part of the path.
  // Text such as `at least one failed` in a message has no line number and is not one, nor is
  // a cut-off `f (/a.js:10` (a path may hold parentheses, `Program Files (x86)`, but balanced).
  if (!balanced(text, start, end)) return undefined;
  const marker = asyncMarkerEnd(text, start, end);
  const needsLine = !isText(text, marker, end, '<anonymous>') && !isText(text, marker, end, 'native');
  return parseLocation(text, marker, end, marker === start ? '' : 'async', needsLine);
}

/** Where the location starts after V8's `async ` marker (and every space after it) at `start`; `start` without one. */
function asyncMarkerEnd(text: string, start: number, end: number): number {
  if (end - start < 6 || !text.startsWith('async', start) || !isSpace(text.charCodeAt(start + 5))) return start;
  let i = start + 6;
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  return i;
}

function parseGecko(label: string, location: string): StackFrame | undefined {
  if (location === '[native code]') return stackFrame('native', undefined, label);
  // Without a line number this is an e-mail address in a message, not a frame.
  return parseLocation(location, 0, location.length, label, true);
}

/** Index of the `(` that opens the parenthesised group ending at `end - 1`, or -1 (none at or after `start`). */
function matchingOpenParen(text: string, start: number, end: number): number {
  // The common case, no parentheses inside the location: the last `(` is the one.
  const last = text.lastIndexOf('(', end - 1);
  if (last < start) return -1;
  if (text.indexOf(')', last) === end - 1) return last;
  let depth = 0;
  for (let i = end - 1; i >= start; i--) {
    const c = text.charCodeAt(i);
    if (c === CLOSE) depth++;
    else if (c === OPEN) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function balanced(text: string, start: number, end: number): boolean {
  let depth = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === OPEN) depth++;
    else if (c === CLOSE && --depth < 0) return false;
  }
  return depth === 0;
}

/** Index of the `)` that closes the `(` at `open`, or -1. */
function matchingCloseParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === OPEN) depth++;
    else if (c === CLOSE) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * The frame for the location `text[start, end)` with `label` ('' for none); with `needsLine`,
 * none unless the location ends in a line number.
 */
function parseLocation(source: string, from: number, to: number, label: string, needsLine = false): StackFrame | undefined {
  let text = source;
  let start = from;
  let end = to;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  if (text.startsWith('eval at ', start)) {
    // `eval at f (/a.js:1:2), <anonymous>:1:1`: the position inside the evaluated string means
    // nothing to a reader; the file and line where `eval` (or `new Function`) ran do.
    text = evalOrigin(text.slice(start, end));
    start = 0;
    end = text.length;
  }
  let path: string | undefined;
  let line: number | undefined;
  if (isText(text, start, end, 'native') || isText(text, start, end, '[native code]')) {
    path = 'native';
  } else if (start < end && !(text.startsWith('index ', start) && PROMISE_INDEX.test(text.slice(start, end)))) {
    // `path:line:column` or `path:line`.
    const last = text.lastIndexOf(':', end - 1);
    const lastNumber = last >= start ? digitsValue(text, last + 1, end) : -1;
    if (lastNumber >= 0) {
      const prev = last > start ? text.lastIndexOf(':', last - 1) : -1;
      const lineNumber = prev >= start ? digitsValue(text, prev + 1, last) : -1;
      const hasColumn = lineNumber >= 0;
      const colon = hasColumn ? prev : last;
      line = hasColumn ? lineNumber : lastNumber;
      if (colon > start) path = filePath(text.slice(start, colon));
    } else {
      path = filePath(text.slice(start, end));
    }
  }
  if (needsLine && line === undefined) return undefined;
  return stackFrame(path, line, label);
}

/** The location an `eval at …` origin points to, nested origins followed up to `MAX_EVAL_DEPTH`. */
function evalOrigin(location: string): string {
  for (let depth = 0; location.startsWith('eval at ') && depth < MAX_EVAL_DEPTH; depth++) {
    const open = location.indexOf('(');
    const close = open >= 0 ? matchingCloseParen(location, open) : -1;
    if (close < 0) break;
    location = location.slice(open + 1, close).trim();
  }
  return location;
}

function isText(text: string, start: number, end: number, expected: string): boolean {
  return end - start === expected.length && text.startsWith(expected, start);
}

/**
 * The number `text[start, end)` spells in ASCII digits (one or more), or -1 when it is not one;
 * read while checking, so a frame's line number needs no slice and no second pass.
 */
function digitsValue(text: string, start: number, end: number): number {
  if (start >= end) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    value = value * 10 + (c - 0x30);
  }
  return value;
}

/** What `\s` matches. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c > 0x7f && WHITESPACE.test(String.fromCharCode(c)));
}
const WHITESPACE = /^\s$/;

/**
 * ES module frames carry `file://` URLs; the path is what CommonJS frames show, so both kinds
 * of frame read (and group in X-Ray) the same. Other URLs (`http:`, `node:`, `webpack:`) stay.
 */
function filePath(location: string): string {
  if (!location.startsWith('file://')) return location;
  let path = location.slice('file://'.length);
  // `file:///C:/x.mjs` is `C:/x.mjs`; `file://host/share/x.mjs` is a UNC path, kept as `//host/…`.
  if (WINDOWS_DRIVE_URL_PATH.test(path)) path = path.slice(1);
  else if (!path.startsWith('/')) path = '//' + path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
