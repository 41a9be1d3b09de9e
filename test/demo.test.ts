import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEMO = fileURLToPath(new URL('../examples/demo.mjs', import.meta.url));

function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(new URL('../dist/index.js', import.meta.url))) throw new Error('dist/index.js is missing: run "npm run build" first (npm test does it)');
  return new Promise((resolve, reject) => {
    // The user's own daemon address must not matter: the demo brings its own daemon.
    const child = spawn(process.execPath, [DEMO], { cwd: ROOT, env: { ...process.env, AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:9', NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run demo', () => {
  it('runs the sample shop through the exporter into the in-process daemon, prints the trees and exits 0', async () => {
    const { code, stdout, stderr } = await runDemo();
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });

    // A checkout: OTel HTTP spans (server, client, the downstream server) around recorder subsegments.
    expect(stdout).toMatch(/^storefront {2}segment .*GET http:\/\/127\.0\.0\.1:\d+\/checkout\?sku=book-42 → 200$/m);
    expect(stdout).toMatch(/^├─ price-cart /m);
    expect(stdout).toContain('annotations: customer_tier="gold"');
    expect(stdout).toMatch(/^└─ inventory {2}remote .*\/stock\/book-42 → 200$/m);
    expect(stdout).toMatch(/^ {3}└─ inventory {2}segment /m);
    expect(stdout).toMatch(/^ {6}└─ lookup-stock /m);
    expect(stdout).toContain('sql: SELECT qty FROM stock WHERE sku = $1');

    // The failing checkout carries the fault and the exception down to where it happened.
    expect(stdout).toMatch(/checkout\?sku=discontinued → 502 {2}FAULT$/m);
    expect(stdout).toContain('✗ Error: no stock record for discontinued');

    // The batch job written with the recorder's imperative API.
    expect(stdout).toMatch(/^nightly-report {2}segment /m);
    expect(stdout).toMatch(/^└─ aggregate-orders /m);

    expect(stdout).toMatch(/demo: 3 traces, (\d+) documents sent, \1 accepted, 0 rejected/);
  });
});
