import type { StackFrame } from '../../document.js';
import type { RawCause, RawStack } from './index.js';
import { stackFrame } from './frame.js';

const LINES = /\r?\n/;
/** `  File "path", line 3, in func`; the rest is read leniently (see `frame`). */
const FRAME = /^\s*File "(.*?)"(?=,|\s|$)([\s\S]*)$/;
const LINE_NUMBER = /(?:^|[\s,])line\s+(\d+)/;
const FUNCTION = /(?:^|[\s,])in\s+([\s\S]+)$/;
const INDENTED = /^\s/;
/** The lines between chained tracebacks (`raise … from …`, and an exception while handling one). */
const CHAIN_SEPARATORS = new Set([
  'During handling of the above exception, another exception occurred:',
  'The above exception was the direct cause of the following exception:',
]);

interface Block {
  /** As Python prints them: most recent call last. */
  frames: StackFrame[];
  /** The `Type: message` lines after the frames. */
  header: string[];
}

/**
 * Parses `traceback.format_exception` output. Python prints the most recent call last; frames
 * come out most recent first, like every other language here and like the Collector, so that
 * the 50 frames X-Ray keeps are the ones nearest the error. Chained tracebacks are printed
 * oldest first; the last is this exception and each earlier one becomes a cause, nearest first.
 */
export function parsePythonStack(stacktrace: string): RawStack {
  const blocks: Block[] = [{ frames: [], header: [] }];
  let block = blocks[0]!;
  let afterFrames = false;

  for (const line of stacktrace.split(LINES)) {
    if (CHAIN_SEPARATORS.has(line.trim())) {
      block = { frames: [], header: [] };
      blocks.push(block);
      afterFrames = false;
      continue;
    }
    const m = FRAME.exec(line);
    if (m) {
      const f = frame(m[1]!, m[2]!);
      if (f) block.frames.push(f);
      block.header = [];
      afterFrames = true;
      continue;
    }
    // After a frame come its source line and, since 3.11, `^^^^` markers, all indented; the
    // first line that is not indented starts the exception text, which may run over lines.
    if (afterFrames && INDENTED.test(line) && block.header.length === 0) continue;
    if (line.startsWith('Traceback (most recent call last)')) continue;
    if (line.trim() === '' && block.header.length === 0) continue;
    block.header.push(line);
  }

  const last = blocks[blocks.length - 1]!;
  const out: RawStack = { frames: last.frames.reverse() };
  if (blocks.length > 1) {
    const causes: RawCause[] = [];
    for (let i = blocks.length - 2; i >= 0; i--) {
      const b = blocks[i]!;
      causes.push({ header: b.header.join('\n').trim(), frames: b.frames.reverse() });
    }
    out.causes = causes;
  }
  return out;
}

/**
 * Lenient about the punctuation between the parts: `line 14 in f` (comma missing) still gives
 * the line and the function, where the Collector drops the frame.
 */
function frame(path: string, rest: string): StackFrame | undefined {
  const line = LINE_NUMBER.exec(rest);
  const fn = FUNCTION.exec(rest);
  return stackFrame(path, line ? Number(line[1]) : undefined, fn ? fn[1]!.trim() : undefined);
}
