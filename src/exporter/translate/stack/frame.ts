import type { StackFrame } from '../../document.js';

/**
 * A stack frame as X-Ray takes it: no empty field, a line only when it is a JSON-safe
 * non-negative integer (so every frame is schema-valid), fields in the order documents list
 * them. Undefined when neither a path nor a label is left. Every parser builds its frames with
 * this, so a failing span's frames are made once, never copied to be cleaned.
 */
export function stackFrame(path: string | undefined, line: number | undefined, label: string | undefined): StackFrame | undefined {
  const hasPath = path !== undefined && path !== '';
  const hasLabel = label !== undefined && label !== '';
  const hasLine = line !== undefined && Number.isSafeInteger(line) && line >= 0;
  // The usual frame has all three: one literal, not three property additions.
  if (hasPath && hasLine && hasLabel) return { path, line, label };
  if (!hasPath && !hasLabel) return undefined;
  const frame: StackFrame = {};
  if (hasPath) frame.path = path;
  if (hasLine) frame.line = line;
  if (hasLabel) frame.label = label;
  return frame;
}
