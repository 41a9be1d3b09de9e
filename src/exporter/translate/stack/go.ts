import type { StackFrame } from '../../document.js';
import type { RawStack } from './index.js';
import { stackFrame } from './frame.js';

const LINES = /\r?\n/;
const GOROUTINE = /^goroutine \d+ \[[^\]]*\]:\s*$/;
/** `\t/src/app/main.go:12 +0x1d`; the path may hold a drive letter (`C:/src/main.go`). */
const LOCATION = /^\s+(.+):(\d+)(?:\s+\+0x[0-9a-fA-F]+)?\s*$/;
const INDENTED = /^\s/;
/** Go 1.21 names the creating goroutine: `created by main.main in goroutine 1`. */
const IN_GOROUTINE = /\s+in goroutine \d+$/;

/**
 * Parses `runtime.Stack` / `debug.Stack` output (what OTel Go records with `WithStackTrace`):
 * a function line, then its file on an indented line. `goroutine N [state]:` headers are
 * skipped, so a dump of several goroutines reads as one list, as in the Collector. Labels drop
 * the argument words (`(0xc000102900, 0x1)`), which differ on every run.
 */
export function parseGoStack(stacktrace: string): RawStack {
  const lines = stacktrace.split(LINES);
  const frames: StackFrame[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fn = lines[i]!;
    if (fn.trim() === '' || INDENTED.test(fn) || GOROUTINE.test(fn)) continue;
    const next = lines[i + 1];
    if (next === undefined) break;
    const loc = LOCATION.exec(next);
    if (!loc) continue;
    const f = stackFrame(loc[1]!, Number(loc[2]), functionName(fn.trim()));
    if (f) frames.push(f);
    i++;
  }
  return { frames };
}

function functionName(line: string): string {
  let name = line.replace(IN_GOROUTINE, '');
  // Arguments never contain parentheses (`{0x1, 0x2}`, `...`), so the last `(` opens them;
  // a receiver such as `(*span)` comes earlier and stays.
  if (name.endsWith(')')) {
    const open = name.lastIndexOf('(');
    if (open > 0) name = name.slice(0, open);
  }
  return name;
}
