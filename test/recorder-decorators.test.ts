import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { XRayRecorder } from '../src/recorder/index.js';
import { setupTracing, type Tracing } from './fixtures/recorder-harness.js';

// Application code with `@capture` on methods, compiled by TypeScript as a code base would be:
// with standard (TC39) decorators, and with `experimentalDecorators` (NestJS, TypeORM, Angular).
// Fields and accessors are wrong uses (the typings reject them): they must warn and stay intact.
const SOURCE = `
function defineOrders(recorder: any) {
  class Orders {
    @recorder.capture('save_order') save(id: number) { return id * 2; }
    @recorder.capture async load(id: number) { await null; return 'order ' + id + ' for ' + this.owner(); }
    @recorder.capture_async('fetch') async fetch() { await null; throw new Error('gone'); }
    @recorder.capture('create') static create() { return new Orders(); }
    @recorder.capture('total') get total() { return 7; }
    @recorder.capture('field') field = 'kept';
    owner() { return 'ann'; }
  }
  return Orders;
}`;

type OrdersClass = {
  new (): { save(id: number): number; load(id: number): Promise<string>; fetch(): Promise<never>; total: number; field: string };
  create(): InstanceType<OrdersClass>;
};

function compile(experimentalDecorators: boolean): (recorder: XRayRecorder) => OrdersClass {
  const { outputText } = ts.transpileModule(SOURCE, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None, experimentalDecorators },
  });
  return new Function('recorder', `${outputText}\nreturn defineOrders(recorder);`) as (recorder: XRayRecorder) => OrdersClass;
}

describe.each([
  ['standard decorators (TypeScript default)', false],
  ['experimentalDecorators', true],
])('@capture with %s', (_setting, experimentalDecorators) => {
  let t: Tracing;
  beforeEach(() => {
    t = setupTracing();
  });
  afterEach(() => t.teardown());

  it('records each decorated method call as a subsegment, and leaves results, this and errors alone', async () => {
    const Orders = compile(experimentalDecorators)(t.recorder);
    const results = await t.recorder.inSegment('orders', async () => {
      const orders = Orders.create();
      return [orders.save(21), await orders.load(5), await orders.fetch().catch((e: Error) => e.message)];
    });
    expect(results).toEqual([42, 'order 5 for ann', 'gone']);
    const segment = t.doc('orders');
    expect((segment.subsegments ?? []).map((s) => s.name)).toEqual(['create', 'save_order', 'load', 'fetch']);
    expect(t.doc('fetch')).toMatchObject({ fault: true, cause: { exceptions: [{ message: 'gone' }] } });
  });

  it('warns about a decorated field or accessor and leaves it working', () => {
    const Orders = compile(experimentalDecorators)(t.recorder);
    const orders = new Orders();
    expect([orders.total, orders.field]).toEqual([7, 'kept']);
    const warnings = t.logger.warnings();
    expect(warnings).toContainEqual(expect.stringMatching(/^capture: "total" is (a getter|not a method).*records nothing$/));
    expect(warnings).toContainEqual(expect.stringMatching(/^capture: "field" is (a field|not a method).*records nothing$/));
  });
});
