import { describe, expect, it } from 'vitest';
import type { SegmentDocument } from '../src/exporter/document.js';
import { MAX_TREE_DEPTH, renderTrace, safeText, shouldColor } from '../src/local-daemon/render-tree.js';
import { assembleTrace, TraceAssembler, type AssembledTrace, type TraceNode } from '../src/local-daemon/traces.js';
import { newId, newTraceId } from './fixtures/daemon-harness.js';

const T0 = 1_700_000_000;

function doc(name: string, fields: Partial<SegmentDocument> & { trace_id: string }, start = 0, end = 0.1): SegmentDocument {
  return { name, id: newId(), start_time: T0 + start, end_time: T0 + end, ...fields };
}

/** name(children…) — the tree's shape in one line. */
function shape(nodes: TraceNode[]): string {
  return nodes.map((n) => (n.children.length > 0 ? `${n.name}(${shape(n.children)})` : n.name)).join(' ');
}

/** A clock the test moves by hand, with the assembler's reports collected. */
function harness(options: { quietMs?: number; incompleteQuietMs?: number } = {}) {
  let now = 0;
  const reported: AssembledTrace[] = [];
  const assembler = new TraceAssembler({ ...options, now: () => now, onTrace: (t) => reported.push(t) });
  return {
    assembler,
    reported,
    advance(ms: number) {
      now += ms;
      assembler.tick();
    },
  };
}

describe('assembleTrace', () => {
  it('nests embedded subsegments under their entity and independent documents under parent_id, by start time', () => {
    const trace_id = newTraceId();
    const root = doc('api', { trace_id }, 0, 1);
    const embedded = { name: 'db', id: newId(), start_time: T0 + 0.5, end_time: T0 + 0.6 };
    const early = { name: 'auth', id: newId(), start_time: T0 + 0.1, end_time: T0 + 0.2 };
    root.subsegments = [embedded, early];
    const independent = doc('http-call', { trace_id, type: 'subsegment', parent_id: embedded.id }, 0.52, 0.58);
    const downstream = doc('inventory', { trace_id, parent_id: independent.id }, 0.53, 0.57);

    const t = assembleTrace(trace_id, [downstream, independent, root]);

    expect(shape(t.roots)).toBe('api(auth db(http-call(inventory)))');
    expect(t.roots[0]!.kind).toBe('segment');
    expect(t.roots[0]!.children[1]!.children[0]!.kind).toBe('subsegment');
    expect(t.roots[0]!.children[1]!.children[0]!.children[0]!.kind).toBe('segment');
    expect(t).toMatchObject({ entityCount: 5, complete: true, missingParents: [], start: T0, end: T0 + 1 });
    expect(t.durationMs).toBeCloseTo(1000);
  });

  it('shows an entity whose parent never arrived as a root, and says which parent is missing', () => {
    const trace_id = newTraceId();
    const orphan = doc('worker', { trace_id, parent_id: 'aaaaaaaaaaaaaaaa' });
    const t = assembleTrace(trace_id, [orphan]);
    expect(t.roots[0]).toMatchObject({ name: 'worker', missingParent: 'aaaaaaaaaaaaaaaa' });
    expect(t).toMatchObject({ complete: false, missingParents: ['aaaaaaaaaaaaaaaa'] });
  });

  it('keeps entities whose parent links form a loop', () => {
    const trace_id = newTraceId();
    const a = doc('a', { trace_id, type: 'subsegment', parent_id: 'bbbbbbbbbbbbbbbb' });
    const b: SegmentDocument = { ...doc('b', { trace_id, type: 'subsegment', parent_id: a.id }), id: 'bbbbbbbbbbbbbbbb' };
    const t = assembleTrace(trace_id, [a, b]);
    expect(t.entityCount).toBe(2);
    expect(shape(t.roots)).toMatch(/^(a\(b\)|b\(a\))$/);
  });
});

describe('TraceAssembler', () => {
  it('reports a complete trace once it has been quiet for quietMs', () => {
    const h = harness({ quietMs: 1000 });
    const trace_id = newTraceId();
    h.assembler.add(doc('api', { trace_id }));
    h.advance(999);
    expect(h.reported).toEqual([]);
    h.advance(1);
    expect(h.reported.map((t) => t.traceId)).toEqual([trace_id]);
  });

  it('restarts the quiet time with every document of the trace', () => {
    const h = harness({ quietMs: 1000 });
    const trace_id = newTraceId();
    const root = doc('api', { trace_id });
    h.assembler.add(root);
    h.advance(800);
    h.assembler.add(doc('late-child', { trace_id, type: 'subsegment', parent_id: root.id }));
    h.advance(800);
    expect(h.reported).toEqual([]);
    h.advance(200);
    expect(h.reported).toHaveLength(1);
    expect(shape(h.reported[0]!.roots)).toBe('api(late-child)');
  });

  it('waits longer for a trace whose parent has not arrived, and assembles it when it does', () => {
    const h = harness({ quietMs: 1000, incompleteQuietMs: 5000 });
    const trace_id = newTraceId();
    const root = doc('api', { trace_id });
    h.assembler.add(doc('child', { trace_id, type: 'subsegment', parent_id: root.id }));
    h.advance(1000);
    expect(h.reported).toEqual([]);
    h.assembler.add(root);
    h.advance(1000);
    expect(h.reported).toHaveLength(1);
    expect(shape(h.reported[0]!.roots)).toBe('api(child)');
  });

  it('gives up waiting for a missing parent after incompleteQuietMs', () => {
    const h = harness({ quietMs: 1000, incompleteQuietMs: 5000 });
    const trace_id = newTraceId();
    h.assembler.add(doc('child', { trace_id, type: 'subsegment', parent_id: 'cccccccccccccccc' }));
    h.advance(4999);
    expect(h.reported).toEqual([]);
    h.advance(1);
    expect(h.reported[0]).toMatchObject({ complete: false, missingParents: ['cccccccccccccccc'] });
  });

  it('replaces an in-progress document with its finished version, but not the other way round', () => {
    const h = harness({ quietMs: 10 });
    const trace_id = newTraceId();
    const finished = doc('job', { trace_id }, 0, 2);
    const open: SegmentDocument = { ...finished, end_time: undefined, in_progress: true };
    h.assembler.add(finished);
    h.assembler.add(open);
    h.advance(10);
    expect(h.reported[0]).toMatchObject({ inProgress: 0, complete: true, documents: [finished] });
  });

  it('reports a trace again, with a higher revision, when documents arrive after it was reported', () => {
    const h = harness({ quietMs: 10 });
    const trace_id = newTraceId();
    const root = doc('api', { trace_id });
    h.assembler.add(root);
    h.advance(10);
    h.assembler.add(doc('straggler', { trace_id, type: 'subsegment', parent_id: root.id }));
    h.advance(10);
    expect(h.reported.map((t) => [t.revision, shape(t.roots)])).toEqual([
      [1, 'api'],
      [2, 'api(straggler)'],
    ]);
  });

  it('reports everything pending on flush, and lists traces newest first', () => {
    const h = harness({ quietMs: 60_000 });
    const first = newTraceId();
    const second = newTraceId();
    h.assembler.add(doc('one', { trace_id: first }));
    h.advance(5);
    h.assembler.add(doc('two', { trace_id: second }));
    expect(h.assembler.flush().map((t) => t.traceId).sort()).toEqual([first, second].sort());
    expect(h.assembler.pendingCount).toBe(0);
    expect(h.assembler.list().map((t) => t.traceId)).toEqual([second, first]);
  });

  it('forgets the oldest traces beyond maxTraces, reporting them first', () => {
    const reported: string[] = [];
    const assembler = new TraceAssembler({ maxTraces: 2, quietMs: 60_000, onTrace: (t) => reported.push(t.traceId) });
    const ids = [newTraceId(), newTraceId(), newTraceId()];
    for (const trace_id of ids) assembler.add(doc('x', { trace_id }));
    expect(reported).toEqual([ids[0]]);
    expect(assembler.get(ids[0]!)).toBeUndefined();
    assembler.close();
  });

  it('places a rejected document in its trace, marked with the reasons', () => {
    const h = harness({ quietMs: 10 });
    const trace_id = newTraceId();
    const root = doc('api', { trace_id });
    h.assembler.add(root);
    h.assembler.add(doc('bad,name', { trace_id, type: 'subsegment', parent_id: root.id }), { rejected: ['name "bad,name" has characters X-Ray rejects'] });
    h.advance(10);
    expect(h.reported[0]!.rejectedCount).toBe(1);
    expect(h.reported[0]!.roots[0]!.children[0]!.rejected).toEqual(['name "bad,name" has characters X-Ray rejects']);
  });
});

describe('renderTrace', () => {
  function sample(): AssembledTrace {
    const trace_id = '1-65550000-0123456789abcdef01234567';
    const root = doc('frontend', { trace_id, http: { request: { method: 'GET', url: 'http://shop/cart' }, response: { status: 500 } }, fault: true }, 0, 0.25);
    root.subsegments = [
      {
        name: 'postgres',
        id: newId(),
        start_time: T0 + 0.01,
        end_time: T0 + 0.03,
        namespace: 'remote',
        sql: { sanitized_query: 'SELECT * FROM carts WHERE id = $1' },
        annotations: { cart: 'c-1', items: 3 },
      },
      {
        name: 'pricing',
        id: newId(),
        start_time: T0 + 0.05,
        end_time: T0 + 0.2,
        error: true,
        cause: { exceptions: [{ id: newId(), type: 'RangeError', message: 'bad price', stack: [{ label: 'price', path: 'pricing.js', line: 7 }] }] },
      },
    ];
    return { ...assembleTrace(trace_id, [root]), documentsNotKept: 0, firstReceivedAt: 0, lastReceivedAt: 0, revision: 1 };
  }

  it('draws one line per entity with its duration, offset, http and flags, and details beneath', () => {
    expect(renderTrace(sample())).toBe(
      [
        'trace 1-65550000-0123456789abcdef01234567 · 1 document · 3 entities · 250 ms · fault',
        'frontend  segment  250 ms  GET http://shop/cart → 500  FAULT',
        '├─ postgres  remote  20 ms  +10 ms',
        '│     annotations: cart="c-1" items=3',
        '│     sql: SELECT * FROM carts WHERE id = $1',
        '└─ pricing  150 ms  +50 ms  ERROR',
        '      ✗ RangeError: bad price (price pricing.js:7)',
        '',
      ].join('\n'),
    );
  });

  it('shows where an exception was thrown without stray spaces or placeholders for missing fields', () => {
    const where = (frame: Record<string, unknown>): string => {
      const t = sample();
      t.roots[0]!.entity.cause = { exceptions: [{ id: newId(), type: 'E', stack: [frame] }] };
      const line = renderTrace(t).split('\n').find((l) => l.includes('✗ E')) ?? '';
      return line.slice(line.indexOf('✗'));
    };
    expect(where({ path: '/x.js', line: 20 })).toBe('✗ E (/x.js:20)');
    expect(where({ label: 'async', path: '/x.js', line: 20 })).toBe('✗ E (async /x.js:20)');
    expect(where({ label: 'Array.map', path: '<anonymous>' })).toBe('✗ E (Array.map <anonymous>)');
    expect(where({ label: 'async Promise.all' })).toBe('✗ E (async Promise.all)');
  });

  it('uses colour only when asked', () => {
    expect(renderTrace(sample())).not.toContain('\u001b[');
    expect(renderTrace(sample(), { color: true })).toContain('\u001b[31mFAULT\u001b[39m');
  });

  it('colours a terminal unless NO_COLOR is set, and never a pipe', () => {
    expect(shouldColor({ isTTY: true }, {})).toBe(true);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor({ isTTY: false }, {})).toBe(false);
    expect(shouldColor({}, {})).toBe(false);
  });

  it('shows control characters from documents escaped, so they cannot drive the terminal', () => {
    expect(safeText('boom\u001b[2J\u0007\nnext')).toBe('boom\\u001b[2J\\u0007\\nnext');
  });

  function traceOf(docs: SegmentDocument[], verdicts: { warnings?: Map<string, string[]> } = {}): AssembledTrace {
    return { ...assembleTrace(docs[0]!.trace_id, docs, new Map(), verdicts.warnings), documentsNotKept: 0, firstReceivedAt: 0, lastReceivedAt: 0, revision: 1 };
  }

  it('shows no more digits than the timestamps carry', () => {
    const trace_id = newTraceId();
    const ms = traceOf([doc('api', { trace_id }, 0, 0.012)]);
    expect(renderTrace(ms)).toContain('api  segment  12 ms');
    const us = traceOf([doc('api', { trace_id }, 0, 0.012345)]);
    expect(renderTrace(us)).toContain('api  segment  12.3 ms');
  });

  it('says "1 document · 1 entity" in the singular', () => {
    expect(renderTrace(traceOf([doc('api', { trace_id: newTraceId() })]))).toMatch(/ · 1 document · 1 entity · /);
  });

  it('keeps document order for siblings that start in the same millisecond', () => {
    const trace_id = newTraceId();
    const root = doc('api', { trace_id });
    root.subsegments = ['zeta', 'alpha', 'mid'].map((name, i) => ({ name, id: newId(), start_time: T0 + 0.0101 + i * 0.0001, end_time: T0 + 0.02 }));
    expect(shape(traceOf([root]).roots)).toBe('api(zeta alpha mid)');
  });

  it('explains a Lambda function\'s missing segment instead of flagging it', () => {
    const trace_id = newTraceId();
    const facade = 'fafafafafafafafa';
    const text = renderTrace(traceOf([doc('handler', { trace_id, type: 'subsegment', parent_id: facade }), doc('DynamoDB', { trace_id, type: 'subsegment', parent_id: facade, namespace: 'aws' })]));
    expect(text).toContain(`parent ${facade} is not here: in AWS Lambda it is the function's own segment, which Lambda sends to X-Ray itself`);
    expect(text).not.toContain('parents never received');
    expect(text).not.toContain('was not received');
  });

  it('shows what X-Ray will drop from a document it takes', () => {
    const trace_id = newTraceId();
    const root = doc('api', { trace_id });
    const text = renderTrace(traceOf([root], { warnings: new Map([[root.id, ['annotation "my-annotation" will be dropped: …']]]) }));
    expect(text).toContain('1 accepted with loss');
    expect(text).toContain('⚠ X-Ray keeps this document, but:');
    expect(text).toContain('annotation "my-annotation" will be dropped');
  });

  it('paints throttle apart from error and fault, as X-Ray\'s console does', () => {
    const text = renderTrace(traceOf([doc('api', { trace_id: newTraceId(), throttle: true, error: true })]), { color: true });
    expect(text).toContain('\u001b[35mTHROTTLE\u001b[39m');
    expect(text).toContain('\u001b[33mERROR\u001b[39m');
  });

  it('shows a stack frame without a label without a stray space', () => {
    const trace_id = newTraceId();
    const text = renderTrace(traceOf([doc('api', { trace_id, cause: { exceptions: [{ id: newId(), type: 'Error', stack: [{ path: '/x.js', line: 20 }] }] } })]));
    expect(text).toContain('✗ Error (/x.js:20)');
  });

  it('summarises entities nested deeper than it draws, in one line', () => {
    const trace_id = newTraceId();
    const root = doc('api', { trace_id });
    let parent: { subsegments?: unknown[] } = root;
    for (let i = 0; i < 750; i++) {
      const child: { name: string; id: string; start_time: number; end_time: number; subsegments?: unknown[] } = { name: `level${i}`, id: newId(), start_time: T0, end_time: T0 + 0.1 };
      parent.subsegments = [child];
      parent = child;
    }
    const text = renderTrace(traceOf([root]));
    expect(text).toContain(`… 710 more entities nested deeper than ${MAX_TREE_DEPTH} levels`);
    expect(text.split('\n').length).toBeLessThan(MAX_TREE_DEPTH + 10);
  });
});
