// The web page's HTTP server, without a browser: what it serves and to whom.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDaemon, type LocalDaemon } from '../src/local-daemon/server.js';
import type { AssembledTrace } from '../src/local-daemon/traces.js';
import { parseHttpAddress } from '../src/local-daemon/web.js';
import { datagram, segment, sendDatagrams } from './fixtures/daemon-harness.js';

let daemon: LocalDaemon;
let trace: AssembledTrace;

beforeAll(async () => {
  daemon = await startLocalDaemon({ address: '127.0.0.1:0', http: '127.0.0.1:0', quietMs: 50 });
  const finished = new Promise<AssembledTrace>((resolve) => daemon.once('trace', resolve));
  await sendDatagrams(daemon.address.udp.port, [datagram(segment({ name: 'storefront' }))]);
  trace = await finished;
});

afterAll(async () => {
  await daemon?.close();
});

function get(path: string, host?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { port } = daemon.address.http!;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: host ? { Host: host } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the web server', () => {
  it('forbids inline script and sniffing on every response', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves a script that parses (a syntax error would blank the page)', async () => {
    const js = (await get('/app.js')).body;
    expect(() => new Function(js)).not.toThrow();
  });

  it('builds the page without innerHTML', async () => {
    const js = (await get('/app.js')).body;
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it('serves traces newest first as JSON', async () => {
    const res = await get('/api/traces');
    expect(JSON.parse(res.body).traces.map((t: { traceId: string }) => t.traceId)).toEqual([trace.traceId]);
  });

  it('serves the service map as JSON', async () => {
    const map = JSON.parse((await get('/api/map')).body) as { traces: number; nodes: Array<{ name: string; requests: number }> };
    expect(map.traces).toBe(1);
    expect(map.nodes.map((n) => [n.name, n.requests])).toEqual([
      ['storefront', 1],
      ['client', 1],
    ]);
  });

  it('answers only to loopback names when bound to loopback (no DNS rebinding)', async () => {
    expect((await get('/api/traces', 'evil.example:80')).status).toBe(421);
    expect((await get('/api/traces', `localhost:${daemon.address.http!.port}`)).status).toBe(200);
  });

  it('binds loopback unless --http names a host', () => {
    expect(parseHttpAddress('8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseHttpAddress(':8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseHttpAddress('0.0.0.0:8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseHttpAddress('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(() => parseHttpAddress('host:99999')).toThrow(/invalid web page address "host:99999"/);
  });

  it('from code, a bad http option is an HttpAddressError that does not name the CLI flag', async () => {
    const failure = startLocalDaemon({ address: '127.0.0.1:0', http: 'x:y:z' });
    await expect(failure).rejects.toMatchObject({ code: 'ERR_XRAY_HTTP_ADDRESS', message: expect.stringMatching(/^invalid web page address "x:y:z": expected host:port/) });
    await expect(failure).rejects.not.toThrow(/--http/);
  });
});
