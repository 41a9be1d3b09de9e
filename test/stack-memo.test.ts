import fc from 'fast-check';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { CauseBlock, EntityDocument, StackFrame } from '../src/exporter/document.js';
import { toSegmentDocuments } from '../src/exporter/to-segment-documents.js';
import { exceptionEvent, fakeSpan } from './support/spans.js';
import { expectValidDocument } from './support/schema.js';
import { stringifyBody } from '../src/exporter/serialize-body.js';
import { parseStack } from '../src/exporter/translate/stack/index.js';
import { parseJavaScriptStack } from '../src/exporter/translate/stack/javascript.js';
import { MAX_MEMO_STACK_CHARS, sharedFramesJson } from '../src/exporter/translate/stack/memo.js';

// The exporter keeps recent stacks' parsed frames (and their JSON) so that a service failing the
// same way again pays for its frames once. Everything here checks that keeping them changes
// nothing a reader of the documents could see.

let unique = 0;
/** A V8 stack whose frames no other test uses (the memo is shared by the whole process). */
function v8Stack(message: string, frames = 5, tag = `t${++unique}`): string {
  const lines = [`Error: ${message}`];
  for (let i = 0; i < frames; i++) lines.push(`    at ${tag}_f${i} (/srv/${tag}/m${i}.js:${i + 1}:${i + 2})`);
  return lines.join('\n');
}

describe('a stack seen again', () => {
  it('gives the same result as on first sight, from its second sighting on without parsing again', () => {
    const frames = v8Stack('x').split('\n').slice(1).join('\n');
    const seen = [1, 2, 3, 4].map((n) => parseStack(`TypeError: order ${n} failed\n${frames}`, 'nodejs'));
    const fresh = { frames: parseJavaScriptStack(frames).frames };
    for (const parsed of seen) expect(parsed).toEqual(fresh);
    // The first sighting is not kept; the second is, and later ones get that very result.
    expect(seen[2]!.frames).toBe(seen[1]!.frames);
    expect(seen[3]!.frames).toBe(seen[1]!.frames);
    expect(seen[0]!.frames).not.toBe(seen[1]!.frames);
  });

  it('is one entry whatever the message, even a message of several lines', () => {
    const stack = v8Stack('first');
    const tail = stack.slice(stack.indexOf('\n'));
    parseStack(`Error: a${tail}`, undefined);
    const kept = parseStack(`Error: b\nwith a second line${tail}`, undefined);
    expect(parseStack(`RangeError: c${tail}`, undefined).frames).toBe(kept.frames);
  });

  it('still reads frames printed in the message lines (they are not part of the shared key)', () => {
    const stack = v8Stack('y', 2);
    const tail = stack.slice(stack.indexOf('\n'));
    const withFrameInMessage = `Error: wrapped\n  at inner (/srv/inner.js:7:1)${tail}`;
    for (let i = 0; i < 3; i++) {
      const { frames } = parseStack(withFrameInMessage, 'nodejs');
      expect(frames[0]).toEqual({ path: '/srv/inner.js', line: 7, label: 'inner' });
      expect(frames).toHaveLength(3);
    }
  });

  it('is frozen: a document holding it cannot change what later documents get', () => {
    const stack = v8Stack('z');
    parseStack(stack, 'nodejs');
    const shared = parseStack(stack, 'nodejs');
    expect(Object.isFrozen(shared.frames)).toBe(true);
    expect(() => {
      (shared.frames[0] as StackFrame).path = 'changed';
    }).toThrow(TypeError);
    expect(() => shared.frames.push({ path: 'more' })).toThrow(TypeError);
    expect(parseStack(stack, 'nodejs').frames[0]!.path).toBe(`/srv/t${unique}/m0.js`);
  });

  it('in other languages is kept by its whole text, causes included', () => {
    const java = [
      'java.lang.IllegalStateException: boom',
      '\tat com.acme.Svc.run(Svc.java:10)',
      'Caused by: java.io.IOException: disk',
      '\tat com.acme.Disk.read(Disk.java:20)',
    ].join('\n');
    const first = parseStack(java, 'java');
    const second = parseStack(java, 'java');
    const third = parseStack(java, 'java');
    expect(second).toEqual(first);
    expect(third).toBe(second);
    expect(Object.isFrozen(third.causes![0]!.frames)).toBe(true);
    // Another language reads the same text its own way, from its own memo.
    expect(parseStack(java, 'python')).not.toBe(third);
  });

  it('is not kept when the text is longer than the memo takes', () => {
    const long = v8Stack('long', Math.ceil(MAX_MEMO_STACK_CHARS / 40) + 10);
    expect(long.length).toBeGreaterThan(MAX_MEMO_STACK_CHARS);
    const a = parseStack(long, 'nodejs');
    parseStack(long, 'nodejs');
    const c = parseStack(long, 'nodejs');
    expect(c).toEqual(a);
    expect(c.frames).not.toBe(a.frames);
  });

  it('holds a bounded amount of text alive, long messages included (the kept frame lines are slices of the whole text)', () => {
    // Each stack: a 15,000-character message over a few short frame lines. Kept by its frame lines
    // alone, each entry still keeps its whole text in memory; 80 of them (1.2 M characters) are
    // more than the memo's two generations may hold, so the first one is forgotten by then.
    const message = 'x'.repeat(15_000);
    const first = v8Stack(message, 3);
    parseStack(first, 'nodejs');
    const kept = parseStack(first, 'nodejs').frames;
    for (let i = 0; i < 80; i++) {
      const other = v8Stack(message, 3);
      parseStack(other, 'nodejs');
      parseStack(other, 'nodejs');
    }
    const again = parseStack(first, 'nodejs').frames;
    expect(again).toEqual(kept);
    expect(again).not.toBe(kept);
  });

  it('agrees with a fresh parse for any mix of repeated and new stacks', () => {
    const frame = fc.record({
      label: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[\s()]/.test(s)),
      path: fc.constantFrom('/a.js', '/srv/b.mjs', 'file:///C:/x%20y.js', 'node:internal/x', 'C:\\app\\c.js'),
      line: fc.nat({ max: 99999 }),
    });
    const stack = fc.array(frame, { minLength: 1, maxLength: 8 }).map((fs) => fs.map((f) => `    at ${f.label} (${f.path}:${f.line}:1)`).join('\n'));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 20 }), stack), { minLength: 1, maxLength: 6 }), fc.nat(), (stacks, seed) => {
        for (let round = 0; round < 3; round++) {
          for (const [message, frames] of stacks) {
            const text = `Error: ${message.replace(/\n/g, ' ')}#${seed}\n${frames}`;
            expect(parseStack(text, 'nodejs')).toEqual({ frames: parseJavaScriptStack(text).frames });
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('stringifyBody', () => {
  function sharedStack(tag: string): readonly StackFrame[] {
    const stack = v8Stack('s', 3, tag);
    parseStack(stack, 'nodejs');
    const frames = parseStack(stack, 'nodejs').frames;
    expect(sharedFramesJson(frames)).toBe(JSON.stringify(frames));
    return frames;
  }

  function body(stacks: (readonly StackFrame[] | undefined)[], metadata: Record<string, unknown> = {}): EntityDocument {
    return {
      name: 'svc',
      id: '0123456789abcdef',
      start_time: 1,
      end_time: 2,
      fault: true,
      metadata: { default: metadata },
      cause: {
        working_directory: '/srv',
        exceptions: stacks.map((stack, i) => ({ id: `00000000000000${10 + i}`, message: `m${i}`, ...(stack ? { stack: stack as StackFrame[] } : {}) })),
      },
    };
  }

  it('writes exactly JSON.stringify(body), kept stacks and others mixed, and leaves the body as it was', () => {
    const a = sharedStack('sa');
    const b = sharedStack('sb');
    const own: StackFrame[] = [{ path: '/own.js', line: 1 }];
    const doc = body([a, undefined, own, b, a], { note: 'x' });
    const before = structuredClone(doc);
    expect(stringifyBody(doc)).toBe(JSON.stringify(doc));
    expect(doc).toEqual(before);
    expect(doc.cause && typeof doc.cause === 'object' && doc.cause.exceptions![0]!.stack).toBe(a);
  });

  it('is not fooled by text that looks like its placeholder', () => {
    const doc = body([sharedStack('sc')], { trap: '\u0000xray-stack:', trap2: '"\\u0000xray-stack:0000000000000000"' });
    expect(stringifyBody(doc)).toBe(JSON.stringify(doc));
  });

  it('puts the stacks back when the body cannot be serialized', () => {
    const frames = sharedStack('sd');
    const doc = body([frames], { big: 1n });
    expect(() => stringifyBody(doc)).toThrow(TypeError);
    expect(doc.cause && typeof doc.cause === 'object' && doc.cause.exceptions![0]!.stack).toBe(frames);
  });
});

describe('documents handed to the application', () => {
  it('are its own to change: a stack seen again is not a frozen shared list in toSegmentDocuments', () => {
    const stack = v8Stack('boom');
    const span = (): ReadableSpan => fakeSpan({ status: { code: SpanStatusCode.ERROR }, events: [exceptionEvent('Error', 'boom', stack)] });
    const docs = [1, 2, 3].map(() => toSegmentDocuments([span()])[0]!);
    for (const doc of docs) {
      const exception = (doc.cause as CauseBlock).exceptions![0]!;
      // What a user might do to a document before logging or forwarding it.
      expect(() => {
        exception.stack![0]!.path = 'redacted';
        exception.stack!.push({ path: 'extra.js', line: 1 });
      }).not.toThrow();
    }
    // One document's change stays in it, and the exporter's later documents are untouched.
    const later = toSegmentDocuments([span()])[0]!;
    expect((later.cause as CauseBlock).exceptions![0]!.stack).toEqual(parseJavaScriptStack(stack).frames);
    expectValidDocument(later);
  });
});
