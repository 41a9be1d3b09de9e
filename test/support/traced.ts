import { expect } from 'vitest';
import type { EntityDocument } from '../../src/exporter/document.js';
import type { Tracing } from '../fixtures/recorder-harness.js';

/**
 * Runs `call` in a segment opened with the recorder, as an application would, and returns the
 * subsegments the exporter writes under it (there must be nothing else). Errors of `call` are
 * returned, not thrown: tests of failing calls look at both.
 */
export async function subsegmentsOf(t: Tracing, call: () => Promise<unknown>): Promise<{ subsegments: EntityDocument[]; error?: unknown }> {
  t.exporter.reset();
  let error: unknown;
  t.recorder.beginSegment('app');
  try {
    await call();
  } catch (err) {
    error = err;
  } finally {
    t.recorder.endSegment();
  }
  const [segment, ...rest] = t.documents();
  expect(rest).toEqual([]);
  return { subsegments: segment?.subsegments ?? [], ...(error !== undefined ? { error } : {}) };
}

/** `subsegmentsOf` for a call that makes exactly one subsegment. */
export async function onlySubsegmentOf(t: Tracing, call: () => Promise<unknown>): Promise<{ doc: EntityDocument; error?: unknown }> {
  const { subsegments, error } = await subsegmentsOf(t, call);
  expect(subsegments).toHaveLength(1);
  return { doc: subsegments[0]!, ...(error !== undefined ? { error } : {}) };
}
