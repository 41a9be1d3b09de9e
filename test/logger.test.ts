import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveLogger, type Logger } from '../src/logger.js';

function recording(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}

function captureStderr(): { text: () => string } {
  let text = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  return { text: () => text };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('resolveLogger: the one way a component gets its logger', () => {
  it('uses the first logger given: the component option before its owner’s', () => {
    const own = recording();
    const owners = recording();
    resolveLogger(own, owners).warn('x');
    resolveLogger(undefined, owners).warn('y');
    expect(own.lines).toEqual(['warn x']);
    expect(owners.lines).toEqual(['warn y']);
  });

  it('makes a throwing logger safe to call, and does not wrap a resolved logger twice', () => {
    const throwing: Logger = {
      debug: () => {
        throw new Error('debug');
      },
      info: () => {
        throw new Error('info');
      },
      warn: () => {
        throw new Error('warn');
      },
      error: () => {
        throw new Error('error');
      },
    };
    const resolved = resolveLogger(throwing);
    expect(() => {
      resolved.debug('a');
      resolved.info('b');
      resolved.warn('c');
      resolved.error('d');
    }).not.toThrow();
    expect(resolveLogger(resolved)).toBe(resolved);
  });

  it('defaults to stderr with a prefix, at warn and above when AWS_XRAY_LOG_LEVEL is unset', () => {
    vi.stubEnv('AWS_XRAY_LOG_LEVEL', undefined);
    const stderr = captureStderr();
    const logger = resolveLogger();
    logger.info('not shown');
    logger.warn('shown', new Error('why'));
    expect(stderr.text()).toBe('[xray-otel-bridge] WARN shown why\n');
  });

  it('the default follows AWS_XRAY_LOG_LEVEL (debug shows everything, silent nothing)', () => {
    const stderr = captureStderr();
    vi.stubEnv('AWS_XRAY_LOG_LEVEL', 'debug');
    resolveLogger().debug('one');
    vi.stubEnv('AWS_XRAY_LOG_LEVEL', 'silent');
    resolveLogger().error('two');
    expect(stderr.text()).toBe('[xray-otel-bridge] DEBUG one\n');
  });
});
