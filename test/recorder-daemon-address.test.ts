import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// Python code configures the daemon on the recorder: `xray_recorder.configure(daemon_address=…)`.
// With no OpenTelemetry set-up, the recorder registers the pipeline itself at its first segment,
// so that is where the address must go (as the drop-in's `setDaemonAddress` does). Each case runs
// in its own process: the pipeline registered at first use is one per process.
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

let socket: Socket;
let received: string[];
let port: number;

beforeEach(async () => {
  if (!existsSync(DIST)) throw new Error('dist/index.js is missing: run "npm run build" first (npm test does it)');
  received = [];
  socket = createSocket('udp4');
  socket.on('message', (m) => received.push(m.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  port = (socket.address() as AddressInfo).port;
});

afterEach(() => {
  socket.close();
});

async function runScript(body: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const script = `const { xray_recorder, registerXRay } = await import(${JSON.stringify(DIST)});\n${body}\nawait xray_recorder.flush();`;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.AWS_LAMBDA_FUNCTION_NAME;
  delete childEnv.LAMBDA_TASK_ROOT;
  if (env.AWS_XRAY_DAEMON_ADDRESS === undefined) delete childEnv.AWS_XRAY_DAEMON_ADDRESS;
  const { stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: childEnv });
  return stderr;
}

async function names(): Promise<string[]> {
  const deadline = Date.now() + 2_000;
  while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return received.map((d) => (JSON.parse(d.slice(d.indexOf('\n') + 1)) as { name: string }).name);
}

describe("configure({ daemon_address }), Python's way to name the daemon", () => {
  it('sends the segments of the pipeline the recorder registers there, without a warning', async () => {
    const stderr = await runScript(`
      xray_recorder.configure({ service: 'py-port', daemon_address: '127.0.0.1:${port}' });
      xray_recorder.begin_segment();
      xray_recorder.end_segment();
    `);
    expect(stderr).toBe('');
    expect(await names()).toEqual(['py-port']);
  }, 30_000);

  it('daemonAddress is the same option, and AWS_XRAY_DAEMON_ADDRESS wins over both, as everywhere', async () => {
    const stderr = await runScript(
      `
      xray_recorder.configure({ daemonAddress: '127.0.0.1:9' });
      xray_recorder.begin_segment('from-env');
      xray_recorder.end_segment();
    `,
      { AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}` },
    );
    expect(stderr).toBe('');
    expect(await names()).toEqual(['from-env']);
  }, 30_000);

  it('a malformed address is reported, naming the option, and the pipeline still starts', async () => {
    const stderr = await runScript(
      `
      xray_recorder.configure({ daemon_address: 'localhost' });
      xray_recorder.begin_segment('still-traced');
      xray_recorder.end_segment();
    `,
      // The default address is not this test's to use: the variable, when valid, wins anyway.
      { AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}` },
    );
    expect(stderr).toMatch(/configure: daemon_address "localhost" is ignored: .*not host:port/);
    expect(await names()).toEqual(['still-traced']);
  }, 30_000);

  it("with the application's own tracer provider, says where the address goes instead", async () => {
    const stderr = await runScript(`
      const { shutdown } = registerXRay({ serviceName: 'own-setup', daemonAddress: '127.0.0.1:${port}' });
      xray_recorder.configure({ daemon_address: '127.0.0.1:9' });
      xray_recorder.begin_segment('own-setup');
      xray_recorder.end_segment();
      await shutdown();
    `);
    expect(stderr).toMatch(/configure: daemon_address has no effect: the tracer provider in use is the application's; give the address to its XRayUdpSpanExporter \(daemonAddress\) or set AWS_XRAY_DAEMON_ADDRESS/);
    expect(await names()).toEqual(['own-setup']);
  }, 30_000);
});
