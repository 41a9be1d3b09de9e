import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { datagram, HEADER, newId, runCli, segment, sendDatagrams, startCli, type CliDaemon } from './fixtures/daemon-harness.js';

interface Verdict {
  ok: boolean;
  verdict: 'accepted' | 'accepted-with-loss' | 'rejected';
  errors: string[];
  warnings: string[];
  document: Record<string, unknown> | null;
  bytes: number;
}

const running: CliDaemon[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
});

async function daemon(args: string[], env?: NodeJS.ProcessEnv): Promise<CliDaemon> {
  const d = await startCli(args, env);
  running.push(d);
  return d;
}

/** Sends the datagrams one by one, each after the previous verdict, so verdicts line up with payloads. */
async function verdicts(d: CliDaemon, payloads: Array<string | Buffer>): Promise<Verdict[]> {
  const start = d.stdoutLines.length;
  for (const [i, p] of payloads.entries()) {
    await sendDatagrams(d.port, [p]);
    await d.waitForLines(start + i + 1);
  }
  return d.stdoutLines.slice(start).map((l) => JSON.parse(l) as Verdict);
}

describe('xray-otel-bridge daemon --json: one verdict per datagram', () => {
  it('accepts valid documents: a segment, one with embedded subsegments, an independent subsegment', async () => {
    const d = await daemon(['--udp', '127.0.0.1:0', '--json']);
    const root = segment({ name: 'orders-api', http: { request: { method: 'GET', url: 'http://localhost/orders' }, response: { status: 200 } } });
    const withChildren = segment({
      trace_id: root.trace_id,
      parent_id: root.id,
      name: 'inventory',
      subsegments: [{ name: 'SELECT inventory', id: newId(), start_time: root.start_time, end_time: root.end_time, sql: { sanitized_query: 'SELECT 1' } }],
    });
    const independent = segment({ trace_id: root.trace_id, type: 'subsegment', parent_id: root.id, name: 'cache.get', namespace: 'remote' });

    const [a, b, c] = await verdicts(d, [datagram(root), datagram(withChildren), datagram(independent)]);

    for (const v of [a, b, c]) expect(v).toMatchObject({ ok: true, errors: [] });
    expect(a!.document).toEqual(root);
    expect(a!.bytes).toBe(Buffer.byteLength(datagram(root)));
  });

  it('accepts header spacing and letter case the real daemon accepts', async () => {
    const d = await daemon(['--udp', '127.0.0.1:0', '--json']);
    const [v] = await verdicts(d, [`{ "format" : "JSON", "version" : 1 }\n${JSON.stringify(segment())}`]);
    expect(v).toMatchObject({ ok: true, errors: [] });
  });

  it('rejects a bad header, no newline and an empty body the way the daemon does, with no document', async () => {
    const d = await daemon(['--udp', '127.0.0.1:0', '--json']);
    const body = JSON.stringify(segment());
    const [versionString, notJson, noNewline, emptyBody] = await verdicts(d, [
      `{"format":"json","version":"1"}\n${body}`,
      `hello\n${body}`,
      `{"format":"json","version":1}${body}`,
      HEADER,
    ]);

    expect(versionString).toEqual({
      ok: false,
      verdict: 'rejected',
      errors: ['bad header: "version" must be the number 1, got "1"'],
      warnings: [],
      document: null,
      bytes: Buffer.byteLength(`{"format":"json","version":"1"}\n${body}`),
    });
    expect(notJson!.errors).toEqual(['bad header: not JSON: "hello"']);
    expect(noNewline!.ok).toBe(false);
    expect(noNewline!.errors[0]).toMatch(/^no newline/);
    expect(emptyBody).toMatchObject({ ok: false, document: null, bytes: HEADER.length });
    expect(emptyBody!.errors[0]).toMatch(/^empty body/);
  });

  it('rejects a bad name, naming the characters X-Ray refuses', async () => {
    const d = await daemon(['--udp', '127.0.0.1:0', '--json']);
    const doc = segment({ name: 'a,b' });
    const [v] = await verdicts(d, [datagram(doc)]);
    expect(v).toEqual({
      ok: false,
      verdict: 'rejected',
      errors: ['name "a,b" has characters X-Ray rejects (InvalidName): ","'],
      warnings: [],
      document: doc,
      bytes: Buffer.byteLength(datagram(doc)),
    });
  });

  it('rejects bad ids: the entity id, a subsegment id and the trace id', async () => {
    const d = await daemon(['--udp', '127.0.0.1:0', '--json']);
    const [badId, badChild, badTrace] = await verdicts(d, [
      datagram(segment({ id: 'XYZ' })),
      datagram(segment({ subsegments: [{ name: 'child', id: '0123456789ABCDEF', start_time: 1, end_time: 2 }] })),
      datagram(segment({ trace_id: '1-abc' })),
    ]);
    expect(badId!.errors).toEqual(['id "XYZ" must be 16 lowercase hex digits']);
    expect(badChild!.errors).toEqual(['subsegments[0].id "0123456789ABCDEF" must be 16 lowercase hex digits']);
    expect(badTrace!.ok).toBe(false);
    expect(badTrace!.errors[0]).toMatch(/^trace_id "1-abc" is not an X-Ray trace id \(InvalidTraceId\)/);
  });

  it('rejects a document over X-Ray\'s 64 kB limit, saying how big it is', async () => {
    const d = await daemon(['--udp', '127.0.0.1:0', '--json']);
    const doc = segment({ metadata: { default: { blob: 'x'.repeat(64_100) } } });
    const body = JSON.stringify(doc);
    const [v] = await verdicts(d, [HEADER + body]);
    expect(v!.ok).toBe(false);
    expect(v!.errors).toEqual([`document is ${Buffer.byteLength(body)} bytes; X-Ray's limit is 64 kB (64000 bytes)`]);
  });

  it('rejects a body that is not a JSON object, and lists every problem of a document', async () => {
    const d = await daemon(['--udp', '127.0.0.1:0', '--json']);
    const [notJson, several] = await verdicts(d, [
      HEADER + '{"name": ',
      datagram({ name: '', id: 'nope', start_time: 'yesterday', trace_id: segment().trace_id }),
    ]);
    expect(notJson).toMatchObject({ ok: false, document: null });
    expect(notJson!.errors[0]).toMatch(/^document is not JSON/);
    expect(several!.errors).toEqual([
      'document has neither "end_time" nor "in_progress": true; X-Ray needs one of them',
      'name is empty (InvalidName)',
      'id "nope" must be 16 lowercase hex digits',
      'start_time must be a number, got string "yesterday"',
    ]);
  });

  it('says "accepted-with-loss" and what X-Ray drops, for a document X-Ray takes in part', async () => {
    const d = await daemon(['--udp', '127.0.0.1:0', '--json']);
    const doc = segment({ annotations: { 'my-annotation': 1 } });
    const [v] = await verdicts(d, [datagram(doc)]);
    expect(v).toEqual({
      ok: true,
      verdict: 'accepted-with-loss',
      errors: [],
      warnings: ['annotation "my-annotation" will be dropped: X-Ray keeps only annotation keys of 1 to 500 letters, digits, "_" or "."'],
      document: doc,
      bytes: Buffer.byteLength(datagram(doc)),
    });
  });

  it('prints nothing but verdicts on stdout', async () => {
    const d = await daemon(['--udp', '127.0.0.1:0', '--json', '--quiet-ms', '0']);
    await verdicts(d, [datagram(segment())]);
    expect(await d.stop()).toBe(0);
    for (const line of d.stdout().trim().split('\n')) expect(Object.keys(JSON.parse(line))).toEqual(['ok', 'verdict', 'errors', 'warnings', 'document', 'bytes']);
  });
});

describe('xray-otel-bridge daemon (trees)', () => {
  it('prints a finished trace as a tree, whatever order its documents arrive in', async () => {
    const d = await daemon(['--udp', '127.0.0.1:0', '--quiet-ms', '100']);
    const root = segment({ name: 'frontend', annotations: { customer: 'c-42' } });
    const call = segment({ trace_id: root.trace_id, type: 'subsegment', parent_id: root.id, name: 'payments', namespace: 'remote', fault: true });
    const downstream = segment({
      trace_id: root.trace_id,
      parent_id: call.id,
      name: 'payments-service',
      cause: { exceptions: [{ id: newId(), type: 'TimeoutError', message: 'card network timed out' }] },
    });
    await sendDatagrams(d.port, [datagram(downstream), datagram(call), datagram(root)]);

    const out = await d.waitForOutput('payments-service');
    const tree = out.slice(out.indexOf('trace '));
    expect(tree).toContain(`trace ${root.trace_id as string}`);
    expect(tree).toMatch(/^frontend {2}segment {2}50 ms/m);
    expect(tree).toContain('annotations: customer="c-42"');
    expect(tree).toMatch(/^└─ payments {2}remote .*FAULT$/m);
    expect(tree).toMatch(/^ {3}└─ payments-service {2}segment/m);
    expect(tree).toContain('✗ TimeoutError: card network timed out');
    expect(tree).not.toContain('\u001b[');
  });

  it('says what X-Ray will drop as soon as a document arrives, and marks it in the tree', async () => {
    const d = await daemon(['--udp', '127.0.0.1:0', '--quiet-ms', '50']);
    await sendDatagrams(d.port, [datagram(segment({ name: 'lossy', annotations: { 'Trace Name': 'x' } }))]);
    const out = await d.waitForOutput('⚠ LOSS');
    expect(out).toContain('⚠ accepted with loss "lossy"');
    expect(out).toContain('annotation "Trace Name" will be dropped');
    expect(out).toContain('1 accepted with loss');
  });

  it('says why a document is rejected as soon as it arrives', async () => {
    const d = await daemon(['--udp', '127.0.0.1:0']);
    await sendDatagrams(d.port, [datagram(segment({ name: 'a,b' }))]);
    const out = await d.waitForOutput('InvalidName');
    expect(out).toMatch(/✗ rejected "a,b" \(\d+ bytes from 127\.0\.0\.1:\d+\):\n {4}name "a,b" has characters X-Ray rejects \(InvalidName\): ","/);
  });

  it('prints traces still waiting for quiet when stopped, and exits 0 on SIGINT', async () => {
    const d = await daemon(['--udp', '127.0.0.1:0', '--quiet-ms', '600000']);
    const doc = segment({ name: 'late-night-job' });
    // The marker's rejection is printed on arrival; loopback keeps one socket's datagrams in order,
    // so once it shows, the document before it has been read too.
    await sendDatagrams(d.port, [datagram(doc), 'marker']);
    await d.waitForOutput('rejected (6 bytes');
    expect(d.stdout()).not.toContain('late-night-job');

    expect(await d.stop('SIGINT')).toBe(0);
    expect(d.stdout()).toContain('late-night-job');
    expect(d.stderr()).toMatch(/stopped \(SIGINT\): 2 datagrams, 1 accepted, 1 rejected, 1 trace\n/);
  });
});

describe('xray-otel-bridge daemon: addresses, options and errors', () => {
  it('listens on AWS_XRAY_DAEMON_ADDRESS when --udp is not given', async () => {
    const port = await freePort();
    const d = await daemon(['--json'], { AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}` });
    expect(d.port).toBe(port);
    const [v] = await verdicts(d, [datagram(segment())]);
    expect(v!.ok).toBe(true);
  });

  it('serves the web page with --http, on loopback when only a port is given', async () => {
    const d = await daemon(['--udp', '127.0.0.1:0', '--http', '0']);
    expect(d.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(d.httpUrl!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>X-Ray daemon stand-in</title>');
  });

  it('exits 2 with a clear message when the --http port is taken', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const r = await runCli(['daemon', '--udp', '127.0.0.1:0', '--http', `127.0.0.1:${port}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`HTTP (web page) 127.0.0.1:${port} is already in use`);
    } finally {
      server.close();
    }
  });

  it('appends accepted documents, and only those, to --out as JSON Lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xray-daemon-out-'));
    try {
      const file = join(dir, 'docs.jsonl');
      writeFileSync(file, '{"earlier":true}\n');
      const d = await daemon(['--udp', '127.0.0.1:0', '--json', '--out', file]);
      const good = segment();
      await verdicts(d, [datagram(good), datagram(segment({ id: 'bad' }))]);
      expect(await d.stop()).toBe(0);
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toEqual([{ earlier: true }, good]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves --sampling-rules, re-reads the file when it changes, and keeps the old rules (saying why) when the change is broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xray-daemon-rules-'));
    try {
      const file = join(dir, 'rules.json');
      const rules = (rate: number) => JSON.stringify({ version: 2, rules: [{ host: '*', http_method: 'GET', url_path: '/api/*', fixed_target: 0, rate }], default: { fixed_target: 1, rate: 0.05 } });
      writeFileSync(file, rules(0.25));
      const d = await daemon(['--udp', '127.0.0.1:0', '--sampling-rules', file]);
      const fetchRule = async () => {
        const res = await fetch(`http://127.0.0.1:${d.port}/GetSamplingRules`, { method: 'POST' });
        return ((await res.json()) as { SamplingRuleRecords: Array<{ SamplingRule: { URLPath: string; FixedRate: number } }> }).SamplingRuleRecords[0]!.SamplingRule;
      };
      expect(await fetchRule()).toMatchObject({ URLPath: '/api/*', FixedRate: 0.25 });
      writeFileSync(file, rules(0.75));
      expect(await fetchRule()).toMatchObject({ FixedRate: 0.75 });
      writeFileSync(file, '{"version": 2}');
      expect(await fetchRule()).toMatchObject({ FixedRate: 0.75 });
      // stderr and the HTTP answer travel separately: wait for the line.
      await vi.waitFor(() =>
        expect(d.stderr()).toContain(`daemon: sampling rules ${file}: "default" must be an object with "fixed_target" and "rate"; the previous rules stay in force`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 with a clear message when the UDP port is taken', async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    try {
      const port = taken.address().port;
      const r = await runCli(['daemon', '--udp', `127.0.0.1:${port}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`UDP 127.0.0.1:${port} is already in use`);
    } finally {
      taken.close();
    }
  });

  it('exits 2 with a clear message when the TCP (sampling) port is taken', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const r = await runCli(['daemon', '--udp', `127.0.0.1:${port}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`TCP (sampling) 127.0.0.1:${port} is already in use`);
    } finally {
      server.close();
    }
  });

  it.each([
    [['daemon', '--bogus'], "Unknown option '--bogus'"],
    [['daemon', '--udp'], "Option '--udp <value>' argument missing"],
    [['daemon', '--udp', 'localhost'], '--udp: Invalid X-Ray daemon address "localhost"'],
    [['daemon', '--quiet-ms', 'soon'], '--quiet-ms must be a whole number'],
    [['daemon', '--http', 'x:y:z'], '--http: invalid web page address "x:y:z"'],
    [['daemon', '--sampling-rules', '/nonexistent/rules.json'], '--sampling-rules: cannot read sampling rules /nonexistent/rules.json: ENOENT'],
    [['daemon', 'extra'], "Unexpected argument 'extra'"],
    [['serve'], 'unknown command "serve"'],
  ])('exits 2 for bad usage: %j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('exits 2 when AWS_XRAY_DAEMON_ADDRESS is malformed, naming the variable', async () => {
    const r = await runCli(['daemon'], { AWS_XRAY_DAEMON_ADDRESS: 'udp:127.0.0.1' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('AWS_XRAY_DAEMON_ADDRESS: Invalid X-Ray daemon address');
  });

  it('documents every option in --help', async () => {
    const r = await runCli(['daemon', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--udp host:port', '--json', '--out FILE', '--sampling-rules FILE', '--http host:port', '--quiet-ms N']) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('without a command, shows the usage on stderr and exits 2 (asked with --help: stdout, 0)', async () => {
    const bare = await runCli([]);
    expect(bare).toMatchObject({ code: 2, stdout: '' });
    expect(bare.stderr).toContain('Usage: xray-otel-bridge <command>');
    const asked = await runCli(['--help']);
    expect(asked).toMatchObject({ code: 0, stderr: '' });
    expect(asked.stdout).toContain('Usage: xray-otel-bridge <command>');
  });

  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await runCli(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });
});

function freePort(): Promise<number> {
  // A UDP port that is free now and whose TCP twin is free too.
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}
