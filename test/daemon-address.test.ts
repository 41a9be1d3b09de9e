import { describe, expect, it } from 'vitest';
import { DEFAULT_DAEMON_ADDRESS, parseDaemonAddress, resolveDaemonAddress } from '../src/transport/address.js';

const both = (host: string, port: number) => ({ udp: { host, port }, tcp: { host, port } });

describe('parseDaemonAddress: host:port means UDP and TCP both', () => {
  it.each([
    ['127.0.0.1:2000', both('127.0.0.1', 2000)],
    ['xray-daemon:2000', both('xray-daemon', 2000)],
    ['xray.internal.example.com:3000', both('xray.internal.example.com', 3000)],
    ['localhost:1', both('localhost', 1)],
    ['10.0.0.5:65535', both('10.0.0.5', 65535)],
    ['[::1]:2000', both('::1', 2000)],
    ['[fd00:ec2::254]:2000', both('fd00:ec2::254', 2000)],
    ['  127.0.0.1:2000  ', both('127.0.0.1', 2000)],
  ])('%j', (input, expected) => {
    expect(parseDaemonAddress(input)).toEqual(expected);
  });

  it('the default is the daemon’s own default, 127.0.0.1:2000', () => {
    expect(parseDaemonAddress(DEFAULT_DAEMON_ADDRESS)).toEqual(both('127.0.0.1', 2000));
  });
});

describe('parseDaemonAddress: udp:host:port tcp:host:port names each separately', () => {
  const expected = { udp: { host: '127.0.0.1', port: 2000 }, tcp: { host: 'xray-daemon', port: 2001 } };

  it.each([
    ['udp:127.0.0.1:2000 tcp:xray-daemon:2001'],
    ['tcp:xray-daemon:2001 udp:127.0.0.1:2000'],
    ['udp:127.0.0.1:2000, tcp:xray-daemon:2001'],
    ['udp:127.0.0.1:2000,tcp:xray-daemon:2001'],
    ['tcp:xray-daemon:2001 , udp:127.0.0.1:2000'],
    ['  udp:127.0.0.1:2000    tcp:xray-daemon:2001 '],
  ])('%j', (input) => {
    expect(parseDaemonAddress(input)).toEqual(expected);
  });

  it('accepts bracketed IPv6 in either part', () => {
    expect(parseDaemonAddress('udp:[::1]:2000 tcp:127.0.0.1:2000')).toEqual({
      udp: { host: '::1', port: 2000 },
      tcp: { host: '127.0.0.1', port: 2000 },
    });
  });
});

describe('parseDaemonAddress: anything else is a configuration error', () => {
  it.each([
    [''],
    ['   '],
    ['127.0.0.1'],
    ['127.0.0.1:'],
    [':2000'],
    ['127.0.0.1:0'],
    ['127.0.0.1:70000'],
    ['127.0.0.1:abc'],
    ['127.0.0.1:20.5'],
    ['127.0.0.1:-1'],
    ['udp:'],
    ['udp:127.0.0.1:2000'],
    ['udp:127.0.0.1:2000 udp:127.0.0.1:2001'],
    ['udp:127.0.0.1:2000 tcp:127.0.0.1:2000 udp:127.0.0.1:2001'],
    ['udp:127.0.0.1:2000 tcp:127.0.0.1'],
    ['127.0.0.1:2000 127.0.0.1:2001'],
    ['::1:2000'],
    ['[::1]'],
    ['[not-ipv6]:2000'],
    ['300.1.1.1:2000'],
    ['http://127.0.0.1:2000'],
    ['xray daemon:2000'],
    ['!!garbage!!'],
  ])('%j', (input) => {
    expect(() => parseDaemonAddress(input)).toThrow(Error);
    expect(() => parseDaemonAddress(input)).toThrow(JSON.stringify(input));
    expect(() => parseDaemonAddress(input)).toThrow(expect.objectContaining({ code: 'ERR_XRAY_DAEMON_ADDRESS' }));
  });

  it('the message shows the bad value and lists the accepted forms', () => {
    let message = '';
    try {
      parseDaemonAddress('127.0.0.1:70000');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('"127.0.0.1:70000"');
    expect(message).toContain('"70000"');
    expect(message).toContain('host:port');
    expect(message).toContain('[::1]:2000');
    expect(message).toContain('udp:host:port tcp:host:port');
  });
});

describe('resolveDaemonAddress', () => {
  it('AWS_XRAY_DAEMON_ADDRESS wins over the configured value', () => {
    const env = { AWS_XRAY_DAEMON_ADDRESS: 'xray-daemon:2000' };
    expect(resolveDaemonAddress('127.0.0.1:3000', env)).toEqual(both('xray-daemon', 2000));
  });

  it('the configured value is used when the variable is unset or empty', () => {
    expect(resolveDaemonAddress('127.0.0.1:3000', {})).toEqual(both('127.0.0.1', 3000));
    expect(resolveDaemonAddress('127.0.0.1:3000', { AWS_XRAY_DAEMON_ADDRESS: '' })).toEqual(both('127.0.0.1', 3000));
  });

  it('falls back to 127.0.0.1:2000', () => {
    expect(resolveDaemonAddress(undefined, {})).toEqual(both('127.0.0.1', 2000));
  });

  it('a bad variable never throws: it is reported, naming the variable, the value and the accepted forms, and ignored', () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => void errors.push(m), error: (m: string) => void errors.push(m) };
    expect(resolveDaemonAddress('127.0.0.1:3000', { AWS_XRAY_DAEMON_ADDRESS: 'nope' }, logger)).toEqual(both('127.0.0.1', 3000));
    expect(resolveDaemonAddress(undefined, { AWS_XRAY_DAEMON_ADDRESS: 'udp:1.2.3.4:2000' }, logger)).toEqual(both('127.0.0.1', 2000));
    expect(errors).toEqual([
      expect.stringMatching(/^AWS_XRAY_DAEMON_ADDRESS is ignored: .*"nope".*Accepted forms.* Sending to the configured daemonAddress 127\.0\.0\.1:3000 instead\.$/),
      expect.stringMatching(/^AWS_XRAY_DAEMON_ADDRESS is ignored: .*"udp:1\.2\.3\.4:2000".* Sending to the default address 127\.0\.0\.1:2000 instead\.$/),
    ]);
  });

  it('a bad configured value is an error too', () => {
    expect(() => resolveDaemonAddress('localhost', {})).toThrow('"localhost"');
    expect(() => resolveDaemonAddress('localhost', {})).toThrow(expect.objectContaining({ code: 'ERR_XRAY_DAEMON_ADDRESS' }));
  });

  it('reads process.env by default', () => {
    const saved = process.env.AWS_XRAY_DAEMON_ADDRESS;
    process.env.AWS_XRAY_DAEMON_ADDRESS = 'udp:10.0.0.1:2000 tcp:10.0.0.2:2000';
    try {
      expect(resolveDaemonAddress('127.0.0.1:3000')).toEqual({
        udp: { host: '10.0.0.1', port: 2000 },
        tcp: { host: '10.0.0.2', port: 2000 },
      });
    } finally {
      if (saved === undefined) delete process.env.AWS_XRAY_DAEMON_ADDRESS;
      else process.env.AWS_XRAY_DAEMON_ADDRESS = saved;
    }
  });
});
