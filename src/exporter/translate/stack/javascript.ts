import type { StackFrame } from '../../document.js';
import type { RawStack } from './index.js';

const LINES = /\r?\n/;
/** V8 (Node, Chrome, Edge): `    at label (location)` or `    at location`. */
const V8_FRAME = /^\s*at\s+(.*)$/;
/** SpiderMonkey and JavaScriptCore (browsers, `webjs`): `label@location`; Safari's labels may
 * end in ` code` (`global code@…`). */
const GECKO_FRAME = /^\s*([^\s@]*(?: code)?)@(.+)$/;
/** `:line` or `:line:column` at the end of a location. */
const LINE_COLUMN = /:(\d+)(?::\d+)?$/;
/** `Promise.all (index 0)`: a position in the argument list, not a file. */
const PROMISE_INDEX = /^index \d+$/;
/** V8's marker of an async frame, before a bare location. */
const ASYNC_MARKER = /^async\s+/;
const WINDOWS_DRIVE_URL_PATH = /^\/[A-Za-z]:\//;
/** Nested `eval at` origins deeper than this are not followed (they do not occur in practice). */
const MAX_EVAL_DEPTH = 16;

/**
 * Parses a V8 `Error.stack` (and, for browsers, the `f@url:line:col` form of Firefox and
 * Safari). Lines that are not frames (the `Type: message` header, a multi-line message) are
 * skipped. Labels are V8's text before the location, without the trailing space the Collector
 * leaves on them: `async f`, `new C` and `Object.m [as alias]` stay as V8 prints them, because
 * that is what a reader matches against their own console output.
 */
export function parseJavaScriptStack(stacktrace: string): RawStack {
  const frames: StackFrame[] = [];
  for (const line of stacktrace.split(LINES)) {
    const frame = parseLine(line);
    if (frame) frames.push(frame);
  }
  return { frames };
}

function parseLine(line: string): StackFrame | undefined {
  const v8 = V8_FRAME.exec(line);
  if (v8) return parseV8Body(v8[1]!.trimEnd());
  if (line.includes('@')) {
    const gecko = GECKO_FRAME.exec(line);
    if (gecko) return parseGecko(gecko[1]!, gecko[2]!.trimEnd());
  }
  return undefined;
}

function parseV8Body(body: string): StackFrame | undefined {
  if (body === '') return undefined;
  if (body.endsWith(')')) {
    const open = matchingOpenParen(body);
    // V8 always separates the label from `(location)` by a space; `name(File.java:12)` is a
    // foreign format (a Java trace read as JavaScript) and yields nothing rather than garbage.
    if (open <= 0 || body[open - 1] !== ' ') return undefined;
    const label = body.slice(0, open).trimEnd();
    const frame = parseLocation(body.slice(open + 1, -1));
    if (label !== '') frame.label = label;
    return frame;
  }
  // A bare location: `/abs/file.js:1:2`, `node:internal/…:1:2`, `<anonymous>`, `native`, and
  // V8's async frame of an anonymous function, `async file:///x.mjs:1:2` or `async /x.js:1:2`:
  // the marker becomes the label (as for `async f (…)`), never part of the path.
  // Text such as `at least one failed` in a message has no line number and is not one, nor is
  // a cut-off `f (/a.js:10` (a path may hold parentheses, `Program Files (x86)`, but balanced).
  if (!balanced(body)) return undefined;
  const marker = ASYNC_MARKER.exec(body);
  const location = marker === null ? body : body.slice(marker[0].length);
  const frame = parseLocation(location);
  if (frame.line === undefined && location !== '<anonymous>' && location !== 'native') return undefined;
  if (marker !== null) frame.label = 'async';
  return frame;
}

function parseGecko(label: string, location: string): StackFrame | undefined {
  if (location === '[native code]') return label !== '' ? { path: 'native', label } : { path: 'native' };
  const frame = parseLocation(location);
  // Without a line number this is an e-mail address in a message, not a frame.
  if (frame.line === undefined) return undefined;
  if (label !== '') frame.label = label;
  return frame;
}

/** Index of the `(` that opens the parenthesised group ending `text`, or -1. */
function matchingOpenParen(text: string): number {
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 0x29 /* ) */) depth++;
    else if (c === 0x28 /* ( */) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28) depth++;
    else if (c === 0x29 && --depth < 0) return false;
  }
  return depth === 0;
}

/** Index of the `)` that closes the `(` at `open`, or -1. */
function matchingCloseParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28) depth++;
    else if (c === 0x29) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function parseLocation(raw: string): StackFrame {
  let location = raw.trim();
  // `eval at f (/a.js:1:2), <anonymous>:1:1`: the position inside the evaluated string means
  // nothing to a reader; the file and line where `eval` (or `new Function`) ran do.
  for (let depth = 0; location.startsWith('eval at ') && depth < MAX_EVAL_DEPTH; depth++) {
    const open = location.indexOf('(');
    const close = open >= 0 ? matchingCloseParen(location, open) : -1;
    if (close < 0) break;
    location = location.slice(open + 1, close).trim();
  }
  if (location === '' || PROMISE_INDEX.test(location)) return {};
  if (location === 'native' || location === '[native code]') return { path: 'native' };

  const m = LINE_COLUMN.exec(location);
  if (!m) return { path: filePath(location) };
  const path = location.slice(0, m.index);
  const frame: StackFrame = { line: Number(m[1]) };
  if (path !== '') frame.path = filePath(path);
  return frame;
}

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
