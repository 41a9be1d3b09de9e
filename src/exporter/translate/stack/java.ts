import type { StackFrame } from '../../document.js';
import type { RawCause, RawStack } from './index.js';
import { stackFrame } from './frame.js';

const LINES = /\r?\n/;
/**
 * `at [loader/][module@version/]pkg.Class.method(Location)`, optionally followed by the jar
 * that logback and log4j append (`~[app.jar:1.0]`).
 */
const FRAME = /^\s*at\s+([^\s()]+)\(([^()]*)\)(?:\s+~?\[[^\]]*\])?\s*$/;
/** `... 5 more` (Java) and `... 5 common frames omitted` (logback). */
const MORE = /^\s*\.\.\.\s+(\d+)\s+(?:more|common frames omitted)\s*$/;
const CAUSED_BY = /^\s*Caused by:\s?(.*)$/;
const SUPPRESSED = /^(\s*)Suppressed:/;
const LEADING_SPACE = /^\s*/;
const DIGITS = /^\d+$/;

/**
 * Parses `Throwable.printStackTrace` output (also PHP's OTel SDK, which imitates it). The
 * first line (`Type: message`) is skipped: the event's `exception.type`/`exception.message`
 * say the same. Each `Caused by:` starts a cause with its own frames; `... n more` is counted
 * as omitted frames; `Suppressed:` blocks are skipped whole, as the Collector does, because
 * X-Ray has no place for exceptions that did not cause this one.
 */
export function parseJavaStack(stacktrace: string): RawStack {
  const top: RawStack = { frames: [] };
  const causes: RawCause[] = [];
  let current: { frames: StackFrame[]; omitted?: number } = top;
  let cause: RawCause | undefined;
  // While a cause's message continues over several lines, they belong to its header.
  let inCauseHeader = false;
  // Indentation of the `Suppressed:` block being skipped; everything at least this deep is in it.
  let skipDepth = -1;

  for (const line of stacktrace.split(LINES)) {
    const depth = LEADING_SPACE.exec(line)![0].length;
    if (skipDepth >= 0) {
      if (depth >= skipDepth && line.trim() !== '') continue;
      skipDepth = -1;
    }

    const frameMatch = FRAME.exec(line);
    if (frameMatch) {
      inCauseHeader = false;
      const f = frame(frameMatch[1]!, frameMatch[2]!);
      if (f) current.frames.push(f);
      continue;
    }
    const causedBy = CAUSED_BY.exec(line);
    if (causedBy) {
      cause = { header: causedBy[1]!, frames: [] };
      causes.push(cause);
      current = cause;
      inCauseHeader = true;
      continue;
    }
    const suppressed = SUPPRESSED.exec(line);
    if (suppressed) {
      inCauseHeader = false;
      // Java indents a suppressed block one level deeper than the frames it follows.
      skipDepth = Math.max(suppressed[1]!.length, 1);
      continue;
    }
    const more = MORE.exec(line);
    if (more) {
      inCauseHeader = false;
      current.omitted = (current.omitted ?? 0) + Number(more[1]);
      continue;
    }
    if (inCauseHeader && cause) cause.header += '\n' + line;
  }

  if (causes.length > 0) top.causes = causes;
  return top;
}

function frame(qualified: string, location: string): StackFrame | undefined {
  // `app//com.x.Main.run` and `java.base/java.lang.Thread.run`: the class loader and module
  // say where the class came from, not which code ran.
  const slash = qualified.lastIndexOf('/');
  const label = slash >= 0 ? qualified.slice(slash + 1) : qualified;
  // `Main.java:12`, `Main.java`, `Native Method`, `Unknown Source`.
  const colon = location.lastIndexOf(':');
  if (colon < 0) return stackFrame(location.trim(), undefined, label);
  const digits = location.slice(colon + 1).trim();
  return stackFrame(location.slice(0, colon).trim(), DIGITS.test(digits) ? Number(digits) : undefined, label);
}
