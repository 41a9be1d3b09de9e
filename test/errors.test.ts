import { describe, expect, it } from 'vitest';
import { DaemonAddressError, ExporterShutDownError, SegmentNotFoundError, XRayBridgeError } from '../src/index.js';
import { HttpAddressError, ListenError, SamplingRulesError } from '../src/local-daemon/index.js';
import { UsageError } from '../src/common/errors.js';

describe('one error family', () => {
  it.each([
    [new DaemonAddressError('m'), 'DaemonAddressError', 'ERR_XRAY_DAEMON_ADDRESS'],
    [new SegmentNotFoundError('m'), 'SegmentNotFoundError', 'ERR_XRAY_SEGMENT_NOT_FOUND'],
    [new ExporterShutDownError('m'), 'ExporterShutDownError', 'ERR_XRAY_EXPORTER_SHUT_DOWN'],
    [new ListenError('m', undefined), 'ListenError', 'ERR_XRAY_LISTEN'],
    [new HttpAddressError('m'), 'HttpAddressError', 'ERR_XRAY_HTTP_ADDRESS'],
    [new SamplingRulesError('m'), 'SamplingRulesError', 'ERR_XRAY_SAMPLING_RULES'],
    [new UsageError('m'), 'UsageError', 'ERR_XRAY_USAGE'],
  ])('%o is an XRayBridgeError with its own name and code', (err, name, code) => {
    expect(err).toBeInstanceOf(XRayBridgeError);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name, code, message: 'm' });
    expect(String(err)).toBe(`${name}: m`);
  });

  it('a ListenError carries the system code when there is one, so callers can say what to do', () => {
    expect(new ListenError('taken', 'EADDRINUSE').code).toBe('EADDRINUSE');
  });

  it('a wrapped error keeps its cause', () => {
    const cause = new Error('inner');
    expect(new DaemonAddressError('outer', { cause }).cause).toBe(cause);
  });
});
