// The recorder's own OTel Context: one link per value instead of a copy of the whole map.
import { ROOT_CONTEXT, createContextKey, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { LinkedContext } from '../src/recorder/linked-context.js';

const A = createContextKey('a');
const B = createContextKey('b');

describe('LinkedContext reads like the API context it stands for', () => {
  it('sees its own values, newest first, and the values of the context it was made from', () => {
    const base = ROOT_CONTEXT.setValue(A, 'from base');
    const ctx = LinkedContext.from(base).setValue(B, 1).setValue(B, 2);
    expect(ctx.getValue(A)).toBe('from base');
    expect(ctx.getValue(B)).toBe(2);
    expect(ctx.setValue(A, 'mine').getValue(A)).toBe('mine');
    // Parents are never changed.
    expect(base.getValue(B)).toBeUndefined();
  });

  it('a deleted value reads as undefined, also when the base context has it', () => {
    const ctx = LinkedContext.from(ROOT_CONTEXT.setValue(A, 'x')).deleteValue(A);
    expect(ctx.getValue(A)).toBeUndefined();
  });

  it('carries OTel spans: trace.getSpan reads what trace.setSpan wrote', () => {
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    expect(trace.getSpan(trace.setSpan(LinkedContext.from(ROOT_CONTEXT), span))).toBe(span);
  });

  it('a long chain is folded, and reads the same before and after', () => {
    const keys = Array.from({ length: 100 }, (_, i) => createContextKey(`k${i}`));
    let ctx = LinkedContext.from(ROOT_CONTEXT.setValue(A, 'base')).deleteValue(B);
    for (let i = 0; i < keys.length; i++) ctx = ctx.setValue(keys[i]!, i) as LinkedContext;
    ctx = ctx.setValue(keys[0]!, 'newest') as LinkedContext;
    expect(ctx.getValue(keys[0]!)).toBe('newest');
    expect(keys.slice(1).map((k) => ctx.getValue(k))).toEqual(Array.from({ length: 99 }, (_, i) => i + 1));
    expect(ctx.getValue(A)).toBe('base');
    expect(ctx.getValue(B)).toBeUndefined();
    // Folding bounds the walk: no more links than the limit between a context and a map.
    let links = 0;
    for (let c: unknown = ctx; c instanceof LinkedContext; c = (c as unknown as { parent: unknown }).parent) links++;
    expect(links).toBeLessThanOrEqual(33);
  });
});
