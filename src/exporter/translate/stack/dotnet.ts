import type { StackFrame } from '../../document.js';
import type { RawCause, RawStack } from './index.js';
import { stackFrame } from './frame.js';

const LINES = /\r?\n/;
const FRAME_START = /^\s*at\s+/;
/** `C:\src\File.cs:line 12` (.NET) or `/src/File.cs:12` (Mono). */
const FILE_LINE = /^(.*):(?:line\s*)?(\d+)$/;
/** Mono prints the IL offset between the method and the file: `M () [0x0001c] in /x.cs:12`. */
const IL_OFFSET = /\s*\[0x[0-9a-fA-F]+\]$/;
const INNER_MARKER = ' ---> ';
const END_OF_INNER = '--- End of inner exception stack trace ---';
/** `AggregateException` repeats each inner exception after its own trace, marked like this. */
const AGGREGATE_REPEAT = '---> (Inner Exception #';

/**
 * Parses `Exception.ToString()`. Frames without source information keep only the method
 * (`System.Int32.Parse(String s)`). Inner exceptions (`---> Type: message` lines) become
 * causes: .NET prints the innermost exception's frames first, each followed by
 * `--- End of inner exception stack trace ---`, and the outer exception's frames last.
 */
export function parseDotnetStack(stacktrace: string): RawStack {
  const inner: string[] = [];
  // Frame runs separated by the end-of-inner markers: innermost first, outermost last.
  const runs: StackFrame[][] = [[]];

  for (const line of stacktrace.split(LINES)) {
    const text = line.trim();
    if (FRAME_START.test(line)) {
      const f = frame(text.replace(FRAME_START, ''));
      if (f) runs[runs.length - 1]!.push(f);
      continue;
    }
    if (text.startsWith(AGGREGATE_REPEAT)) break;
    if (text === END_OF_INNER) {
      runs.push([]);
      continue;
    }
    // .NET Core puts each inner exception on its own ` ---> ` line; .NET Framework appends
    // them to the outer exception's first line.
    const first = text.startsWith('---> ') ? 0 : line.indexOf(INNER_MARKER);
    if (first < 0) continue;
    const parts = (first === 0 ? text.slice(5) : line.slice(first + INNER_MARKER.length)).split(INNER_MARKER);
    for (const p of parts) inner.push(p.trim());
  }

  const innermostFirst = runs.length === inner.length + 1;
  // When the markers do not pair up with the inner exceptions, frames cannot be assigned to
  // them reliably; they all stay with the outer exception.
  const out: RawStack = { frames: innermostFirst ? runs[runs.length - 1]! : runs.flat() };
  if (inner.length > 0) {
    out.causes = inner.map(
      (header, i): RawCause => ({ header, frames: innermostFirst ? runs[inner.length - 1 - i]! : [] }),
    );
  }
  return out;
}

function frame(body: string): StackFrame | undefined {
  // The method ends at the `)` closing its parameter list, followed by ` in <file>` or nothing;
  // a path may itself contain ` in ` or parentheses, so the first such `)` wins.
  let from = 0;
  for (;;) {
    const at = body.indexOf(' in ', from);
    if (at < 0) break;
    const method = body.slice(0, at).replace(IL_OFFSET, '');
    if (method.endsWith(')')) return withFile(method, body.slice(at + 4).trim());
    from = at + 1;
  }
  // No file: the label runs to the last `)`; text after it is noise the Collector also drops.
  const close = body.lastIndexOf(')');
  if (close < 0) return undefined;
  return stackFrame(undefined, undefined, body.slice(0, close + 1));
}

function withFile(label: string, location: string): StackFrame | undefined {
  if (location === '') return stackFrame(undefined, undefined, label);
  const m = FILE_LINE.exec(location);
  return m ? stackFrame(m[1]!.trim(), Number(m[2]), label) : stackFrame(location, undefined, label);
}
