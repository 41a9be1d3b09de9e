import type { IncomingMessage, ServerResponse } from 'node:http';
import { ATTR_HTTP_HOST, ATTR_HTTP_METHOD, ATTR_HTTP_TARGET } from '@opentelemetry/semantic-conventions/incubating';
import { LocalRulesSampler, samplingRequestOf } from '../sampling/local-sampler.js';
import { DEFAULT_LOCAL_RULES, loadSamplingRules, type SamplingRulesDocument } from '../sampling/rules-file.js';
import { httpResponseData, type HttpData } from './entity.js';
import { runtime } from './runtime.js';
import { Segment } from './segment.js';
import { getCauseTypeFromHttpStatus, processTraceData, wildcardMatch, type TraceData } from './utils.js';

const XRAY_HEADER = 'x-amzn-trace-id';

type Request = Pick<IncomingMessage, 'headers' | 'method' | 'url'> & {
  connection?: { secure?: boolean; encrypted?: boolean; remoteAddress?: string; socket?: { remoteAddress?: string } } | null;
  socket?: { remoteAddress?: string } | null;
};
type Response = Pick<ServerResponse, 'statusCode' | 'on'> & {
  req?: unknown;
  header?: (name: string, value: string) => unknown;
  getHeader?: (name: string) => unknown;
  headers?: Record<string, unknown>;
};

/** The `http` block of an incoming request, as the SDK builds it; `close(res)` adds the response. */
export class IncomingRequestData implements HttpData {
  request: Record<string, unknown>;
  response?: Record<string, unknown>;

  constructor(req: Request) {
    const forwarded = !!req.headers['x-forwarded-for'];
    let url: string | undefined;
    if (req.connection) {
      const secure = req.connection.secure || req.connection.encrypted;
      url = (secure ? 'https://' : 'http://') + ((req.headers.host ?? '') + (req.url ?? ''));
    }
    this.request = {
      method: req.method || '',
      user_agent: req.headers['user-agent'] || '',
      client_ip: clientIp(req) || '',
      url: url || '',
    };
    if (forwarded) this.request.x_forwarded_for = forwarded;
  }

  /** The SDK reads `res.headers`, which a server response does not have: no content_length, as there. */
  close(res: Response): void {
    this.response = httpResponseData(res);
  }
}

function clientIp(req: Request): string | undefined {
  const forwarded = req.headers['x-forwarded-for'];
  if (forwarded) return String(forwarded).split(',')[0];
  return req.connection?.remoteAddress ?? req.socket?.remoteAddress ?? req.connection?.socket?.remoteAddress;
}

/** A sampling-rules document: a path to a JSON file or the object itself. */
export type SamplingRulesSource = string | Record<string, unknown>;

/**
 * The SDK's `middleware` (mw_utils): what web framework integrations share. An upstream
 * `Sampled=1`/`Sampled=0` decides; otherwise the rules given to `setSamplingRules` do (first
 * matching rule's reservoir, then its rate, as the SDK's local sampler); without rules, X-Ray's
 * default rule when the drop-in registered the pipeline, else the tracer provider's sampler.
 */
export class MiddlewareUtils {
  /** The SDK hangs the class here too (`AWSXRay.middleware.IncomingRequestData`), and framework code reads it there. */
  readonly IncomingRequestData = IncomingRequestData;
  defaultName: string | undefined = process.env.AWS_XRAY_TRACING_NAME;
  dynamicNaming = false;
  hostPattern: string | null = null;
  /** The rules given to `setSamplingRules`, as given. */
  samplingRules: SamplingRulesSource | undefined;
  private rules: LocalRulesSampler | undefined;
  private readonly overrideName = !!process.env.AWS_XRAY_TRACING_NAME;

  enableDynamicNaming(hostPattern?: string): void {
    this.dynamicNaming = true;
    if (hostPattern && typeof hostPattern !== 'string') throw new Error('Host pattern must be a string.');
    this.hostPattern = hostPattern || null;
  }

  processHeaders(req: { headers?: Record<string, unknown> } | null | undefined): TraceData {
    const header = req?.headers?.[XRAY_HEADER];
    return header ? processTraceData(header) : {};
  }

  resolveName(hostHeader: string | undefined): string | undefined {
    if (this.dynamicNaming && hostHeader) {
      if (!this.hostPattern) return hostHeader;
      return wildcardMatch(this.hostPattern, hostHeader) ? hostHeader : this.defaultName;
    }
    return this.defaultName;
  }

  setDefaultName(name: string): void {
    if (!this.overrideName) this.defaultName = name;
  }

  disableCentralizedSampling(): void {}

  /** Throws, as the SDK does, for a source that is not a path or an object, or for bad rules. */
  setSamplingRules(source: SamplingRulesSource): void {
    if (!source || source instanceof String || !(typeof source === 'string' || source instanceof Object)) {
      throw new Error('Please specify a path to the local sampling rules file, or supply an object containing the rules.');
    }
    this.rules = new LocalRulesSampler(loadSamplingRules(source as string | SamplingRulesDocument));
    this.samplingRules = source;
  }

  /**
   * The decision for a request no upstream decided for: the rules given to `setSamplingRules`;
   * without them, X-Ray's default rule (1 request per second, then 5%) when the drop-in registered
   * the pipeline itself, as the SDK samples on its own; else undefined, and the application's
   * tracer provider decides.
   */
  private decide(req: Request): boolean | undefined {
    if (this.rules === undefined) {
      runtime.ensurePipeline();
      if (!runtime.ownsPipeline) return undefined;
      this.rules = new LocalRulesSampler(DEFAULT_LOCAL_RULES);
    }
    // The request as the older HTTP conventions name it: the rules read host, method and path from them.
    return this.rules.decide(samplingRequestOf({ [ATTR_HTTP_METHOD]: req.method, [ATTR_HTTP_HOST]: req.headers.host, [ATTR_HTTP_TARGET]: req.url }));
  }

  middlewareLog(message: string, url: string | undefined, segment: Segment): void {
    runtime.logger.debug(
      `${message}: { url: ${String(url)}, name: ${segment.name}, trace_id: ${segment.trace_id}, id: ${segment.id}, sampled: ${!segment.notTraced} }`,
    );
  }

  /**
   * Opens the segment of one request: named by `resolveName`, continuing the trace of the request's
   * `X-Amzn-Trace-Id`, with the request's http data; closed when the response finishes, with the
   * status, 4xx error, 429 throttle and 5xx fault.
   */
  traceRequestResponseCycle(req: Request, res: Response): Segment {
    const header = this.processHeaders(req as { headers: Record<string, unknown> });
    const name = this.resolveName(req.headers.host) ?? '';
    const sampled = header.sampled === '1' ? true : header.sampled === '0' ? false : this.decide(req);
    const segment = Segment.withSampling(name, header.root, header.parent, sampled);
    if (!res.req) res.req = req;
    if (header.sampled === '?' && typeof res.header === 'function') {
      res.header(XRAY_HEADER, `Root=${header.root};Sampled=${segment.notTraced ? '0' : '1'}`);
    }
    const data = new IncomingRequestData(req);
    segment.addIncomingRequestData(data);
    this.middlewareLog('Starting middleware segment', req.url, segment);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      if (res.statusCode === 429) segment.addThrottleFlag();
      const cause = getCauseTypeFromHttpStatus(res.statusCode);
      if (cause) segment[cause] = true;
      data.close(res);
      segment.close();
      this.middlewareLog('Closed middleware segment successfully', req.url, segment);
    };
    res.on('finish', end);
    res.on('close', end);
    return segment;
  }
}
