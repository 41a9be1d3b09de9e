import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CauseBlock, EntityDocument, SegmentDocument } from '../src/exporter/document.js';
import type { ExpressChildOutput } from './fixtures/patch-express-child.js';
import { bundleForNode } from './support/bundle.js';
import { linkModules } from './support/linked-modules.js';
import { expectValidDocuments } from './support/schema.js';

// The same express application under express 4 and express 5 (the dev dependency `express-5`,
// copied in as `express`: instrumentations recognise a package by its directory name), each in a
// child process of its own, as each has its own copy of the patched modules.
const run = promisify(execFile);
const UPSTREAM = { root: '1-5759e988-bd862e3fe1be46a994272793', parent: '53995c3f42cd8ad8' };
const repoModules = fileURLToPath(new URL('../node_modules', import.meta.url));

let root: string;
const outputs = new Map<string, ExpressChildOutput>();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'patch-express-'));
  const script = await bundleForNode('test/fixtures/patch-express-child.ts', join(root, 'app.mjs'));
  for (const major of ['4', '5']) {
    const dir = join(root, `express-${major}`);
    mkdirSync(dir);
    if (major === '4') {
      linkModules(join(dir, 'node_modules'));
    } else {
      linkModules(join(dir, 'node_modules'), new Set(['express']));
      cpSync(join(repoModules, 'express-5'), join(dir, 'node_modules', 'express'), { recursive: true });
    }
    const { stdout } = await run(process.execPath, [script], { cwd: dir, env: { ...process.env, UPSTREAM_TRACE_HEADER: `Root=${UPSTREAM.root};Parent=${UPSTREAM.parent};Sampled=1` } });
    outputs.set(major, JSON.parse(stdout) as ExpressChildOutput);
  }
}, 60_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function names(docs: readonly EntityDocument[]): string[] {
  return docs.flatMap((d) => [d.name, ...names(d.subsegments ?? [])]);
}

describe.each(['4', '5'])("patch('express') on express %s: one segment per request, as X-Ray's express middleware makes", (major) => {
  let out: ExpressChildOutput;
  /** The request's documents (schema-checked), its status, and the segment the express app made. */
  const request = (path: string): { status: number; all: SegmentDocument[]; segment: SegmentDocument } => {
    const r = out.requests[path]!;
    const all = r.documents as SegmentDocument[];
    expectValidDocuments(all);
    const segment = all.find((d) => d.http?.request?.url === `${out.app}${path}`);
    if (segment === undefined) throw new Error(`no segment for ${path}: ${JSON.stringify(all)}`);
    return { status: r.status, all, segment };
  };

  beforeAll(() => {
    out = outputs.get(major)!;
    expect(out.express.split('.')[0]).toBe(major);
  });

  it('patches express together with http, whose incoming requests are the segments, with no warning', () => {
    expect(out.patched.sort()).toEqual(['express', 'http']);
    expect(out.warnings).toEqual([]);
  });

  it('without X-Amzn-Trace-Id: a new trace; the segment is named after the service, with the http block and the route; the handler’s call is its only subsegment', () => {
    const { status, segment, all } = request('/orders/7');
    expect(status).toBe(200);
    expect(segment).toMatchObject({
      name: 'shop',
      http: { request: { method: 'GET', url: `${out.app}/orders/7`, client_ip: '127.0.0.1' }, response: { status: 200 } },
      annotations: { order: '7' },
      metadata: { default: { 'http.route': '/orders/:id' } },
    });
    expect(segment.parent_id).toBeUndefined();
    expect(segment.error ?? segment.fault ?? segment.cause).toBeUndefined();
    // No middleware, router or handler subsegments (express.json, the header middleware, the router).
    expect(segment.subsegments).toEqual([
      expect.objectContaining({ name: '127.0.0.1', namespace: 'remote', http: expect.objectContaining({ request: expect.objectContaining({ url: `${out.inventory}/stock/7` }) }) }),
    ]);
    // The inventory service continues the trace under that subsegment; nothing else was made.
    const downstream = all.find((d) => d.http?.request?.url === `${out.inventory}/stock/7`);
    expect(downstream).toMatchObject({ trace_id: segment.trace_id, parent_id: segment.subsegments![0]!.id });
    expect(names(all).sort()).toEqual(['127.0.0.1', 'shop', 'shop']);
  });

  it('with X-Amzn-Trace-Id: the segment continues the upstream trace', () => {
    const { segment } = request('/orders/8');
    expect(segment).toMatchObject({ name: 'shop', trace_id: UPSTREAM.root, parent_id: UPSTREAM.parent, annotations: { order: '8' } });
  });

  it('no route: a 404, an error, no exception', () => {
    const { status, segment } = request('/nowhere');
    expect(status).toBe(404);
    expect(segment).toMatchObject({ name: 'shop', error: true, http: { response: { status: 404 } } });
    expect(segment.fault ?? segment.cause ?? segment.subsegments).toBeUndefined();
  });

  it('a handler that throws: a 500, a fault, and the exception in the segment, as closeSegment() records it', () => {
    const { status, segment } = request('/orders/9/fail');
    expect(status).toBe(500);
    expect(segment).toMatchObject({ name: 'shop', fault: true, trace_id: UPSTREAM.root, parent_id: UPSTREAM.parent, http: { response: { status: 500 } } });
    // Recorded once, though it left two routers (the orders router, then the application's).
    expect(segment.cause).toMatchObject({ exceptions: [expect.objectContaining({ message: 'inventory unavailable', type: 'Error' })] });
    expect((segment.cause as CauseBlock).exceptions).toHaveLength(1);
    expect(segment.subsegments).toBeUndefined();
  });

  it('next(err) with a 4xx status: an error (not a fault) with the exception', () => {
    const { status, segment } = request('/orders/10/refused');
    expect(status).toBe(403);
    expect(segment).toMatchObject({ name: 'shop', error: true, http: { response: { status: 403 } }, cause: { exceptions: [expect.objectContaining({ message: 'not yours' })] } });
    expect(segment.fault).toBeUndefined();
  });

  it("an error the application's error-handling middleware answers (409) is recorded too, as closeSegment() before it would", () => {
    const { status, segment } = request('/checkout');
    expect(status).toBe(409);
    expect(segment).toMatchObject({ name: 'shop', error: true, http: { request: { method: 'POST' }, response: { status: 409 } } });
    expect(segment.cause).toMatchObject({ exceptions: [expect.objectContaining({ message: 'out of stock' })] });
    expect((segment.cause as CauseBlock).exceptions).toHaveLength(1);
  });
});
