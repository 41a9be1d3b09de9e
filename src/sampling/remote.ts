import { request } from 'node:http';
import { isIP } from 'node:net';
import { context, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { AWSXRayRemoteSampler } from '@opentelemetry/sampler-aws-xray';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import type { DaemonEndpoint } from '../transport/address.js';
import type { Logger } from '../logger.js';

export interface RemoteSamplerOptions {
  /** The daemon's TCP endpoint (`AWS_XRAY_DAEMON_ADDRESS`'s `tcp:` part). */
  endpoint: DaemonEndpoint;
  /** The provider's resource: rules match its `service.name` and `cloud.platform`. */
  resource: Resource;
  logger: Logger;
  /** Seconds between rule refreshes (at least 10; X-Ray's default 300). Targets follow the daemon's interval. */
  pollingIntervalSeconds?: number;
  /** How long the first-contact check waits for the daemon (default 2000 ms). */
  probeTimeoutMs?: number;
}

/** What {@link createRemoteSampler} returns: a root sampler that polls until closed. */
export interface RemoteSampler extends Sampler {
  /** Stops polling the daemon. */
  close(): void;
  /** Settles once the first-contact check has answered (for tests and start-up scripts). */
  readonly ready: Promise<boolean>;
}

const DEFAULT_PROBE_TIMEOUT_MS = 2000;

/**
 * Centralized sampling rules (the X-Ray console's), fetched through the daemon by OTel's own
 * `@opentelemetry/sampler-aws-xray`: rules every 5 minutes, reservoir targets every 10 seconds
 * from the reported statistics, 1 request/s + 5% until the daemon has answered.
 *
 * That package reports a failed poll only through OTel's `diag` (at every poll, and not at all
 * when no diag logger is set), so one request of our own at start-up tells the user once, on
 * this library's logger, when the daemon cannot be reached and the default rule applies.
 */
export function createRemoteSampler(options: RemoteSamplerOptions): RemoteSampler {
  const base = `http://${urlHost(options.endpoint.host)}:${options.endpoint.port}`;
  const inner = new AWSXRayRemoteSampler({
    resource: options.resource,
    endpoint: base,
    ...(options.pollingIntervalSeconds !== undefined ? { pollingInterval: options.pollingIntervalSeconds } : {}),
  });
  const ready = probe(`${base}/GetSamplingRules`, options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS).then((problem) => {
    if (problem === undefined) return true;
    options.logger.warn(
      `X-Ray sampling: the daemon's sampling API at ${base} did not answer (${problem}); ` +
        'the default rule applies (1 request per second, then 5%) until it does. The sampler keeps asking.',
    );
    return false;
  });
  return {
    ready,
    shouldSample(ctx: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
      return inner.shouldSample(ctx, traceId, spanName, spanKind, attributes, links);
    },
    close: () => inner.stopPollers(),
    toString: () => `RemoteXRaySampler{${base}}`,
  };
}

/** One `POST` like the sampler's; resolves to what went wrong, or undefined. Never rejects. */
function probe(url: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    // The check must not trace itself (an instrumented `http` would otherwise make a span).
    context.with(suppressTracing(context.active()), () => {
      const req = request(url, { method: 'POST', timeout: timeoutMs }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}`));
        res.on('error', (err) => resolve(err.message));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.on('socket', (socket) => socket.unref());
      req.end();
    });
  });
}

function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
