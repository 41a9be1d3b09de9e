import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { UdpClient, type LookupFunction } from '../src/transport/udp-client.js';

// An export failure must not be silent when the application configured no logger (a DNS failure
// printed nothing, only stats() knew): the default logger says it on stderr, once per kind.

let stderr: MockInstance<typeof process.stderr.write>;
const written = (): string[] => stderr.mock.calls.map((c) => String(c[0]));

beforeEach(() => {
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(() => {
  stderr.mockRestore();
});

/** A lookup that fails as DNS does for a host that does not exist. */
const failingLookup: LookupFunction = (_host, _options, callback) => {
  const err = Object.assign(new Error('getaddrinfo ENOTFOUND xray-daemon'), { code: 'ENOTFOUND' });
  setImmediate(() => (callback as (e: Error) => void)(err));
};

describe('an export failure with the default logger', () => {
  it('reaches stderr once per kind (the DNS failure of a daemon host), not once per batch, and is counted', async () => {
    const client = new UdpClient({ host: 'xray-daemon', port: 2000 }, { lookup: failingLookup });
    try {
      for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => client.send(['{}'], resolve));
    } finally {
      await client.close();
    }
    expect(client.stats().sendErrors).toEqual({ ENOTFOUND: 3 });
    const lines = written();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[xray-otel-bridge\] WARN .*"xray-daemon".*ENOTFOUND/);
  });
});
