// No tracing: the same calls, doing the same awaited work, with nothing recorded.
import { setImmediate as tick } from 'node:timers/promises';

export const name = 'none';
export const label = 'no tracing';

export async function create() {
  return {
    name,
    label,
    tracesSpans: false,
    segment: (_name, fn) => fn(),
    segmentSync: (_name, fn) => fn(),
    subsegment: (_name, fn) => fn(),
    subsegmentSync: (_name, fn) => fn(),
    httpSegment: (_req, _res, fn) => fn(),
    async flush() {
      await tick();
    },
    async shutdown() {},
  };
}
