// The units of work, written once against the contender interface
// (segment / segmentSync / subsegment / subsegmentSync / httpSegment / flush), so every
// contender, including "no tracing", does exactly the same awaited work.
import { setImmediate as tick } from 'node:timers/promises';

const LEVEL_NAMES = Array.from({ length: 64 }, (_, i) => `level-${i + 1}`);
const BRANCH_NAMES = Array.from({ length: 64 }, (_, i) => `branch-${i + 1}`);
const STEP_NAMES = Array.from({ length: 64 }, (_, i) => `step-${i + 1}`);

/** A little synchronous work so captured functions are not empty. */
function compute(seed) {
  let h = seed | 0;
  for (let i = 0; i < 64; i++) h = Math.imul(h ^ i, 0x9e3779b1) >>> 0;
  return h;
}

/** One level of the chain: await a macrotask turn, descend, then await a resolved promise. */
async function chain(t, depth, level) {
  if (level > depth) return level;
  return t.subsegment(LEVEL_NAMES[level - 1], async () => {
    await tick();
    const reached = await chain(t, depth, level + 1);
    await Promise.resolve();
    return reached;
  });
}

function nested(depth) {
  return {
    id: `nested-${depth}`,
    title: `Nested async, depth ${depth}`,
    description: `one segment, ${depth} nested subsegment(s), each awaiting setImmediate and a resolved promise`,
    spansPerUnit: 1 + depth,
    unit: (t) => t.segment('bench-unit', () => chain(t, depth, 1)),
  };
}

function fanout(width) {
  return {
    id: `fanout-${width}`,
    title: `Fan-out ${width}`,
    description: `one segment, ${width} concurrent subsegments, each awaiting setImmediate`,
    spansPerUnit: 1 + width,
    unit: (t) =>
      t.segment('bench-fanout', () => {
        const all = new Array(width);
        for (let i = 0; i < width; i++) {
          all[i] = t.subsegment(BRANCH_NAMES[i], async () => {
            await tick();
            return i;
          });
        }
        return Promise.all(all);
      }),
  };
}

function sync(count) {
  return {
    id: `sync-${count}`,
    title: `Sync capture x${count}`,
    description: `one segment, ${count} sequential synchronous captured functions`,
    spansPerUnit: 1 + count,
    // The benchmark loop yields to the event loop every few units so exports can run.
    sync: true,
    unit: (t) =>
      t.segmentSync('bench-sync', () => {
        let acc = 0;
        for (let i = 0; i < count; i++) acc ^= t.subsegmentSync(STEP_NAMES[i], () => compute(i + acc));
        return acc;
      }),
  };
}

/** The unit an HTTP request does, under the request's segment. */
export const HTTP_INNER_DEPTH = 3;
export function httpUnit(t) {
  return chain(t, HTTP_INNER_DEPTH, 1);
}

export const WORKLOADS = [nested(1), nested(3), nested(10), fanout(50), sync(10)];

export function workloadById(id) {
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w) throw new Error(`unknown workload ${id}; known: ${WORKLOADS.map((x) => x.id).join(', ')}`);
  return w;
}
