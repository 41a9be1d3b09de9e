import { statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isObject } from '../sampling/rules-file.js';
import { defaultSamplingRules, loadSamplingRules, type SamplingRule } from './sampling.js';
import { shareReservoir } from './sampling-quota.js';

export interface SamplingServiceOptions {
  rules?: SamplingRule[];
  /** The file `rules` came from: re-read when it changes (checked on each sampling call). */
  rulesFile?: string;
  /** Epoch ms; injectable for tests. */
  now?: () => number;
  /** How often samplers should come back for targets, in seconds (X-Ray says 10). */
  targetIntervalSeconds?: number;
  /** A rules file that changed and cannot be used (the previous rules stay). */
  onWarning?: (message: string) => void;
}

/** What samplers reported for one rule since the daemon started (or the rule appeared). */
export interface RuleCounts {
  requests: number;
  sampled: number;
  borrowed: number;
}

export interface SamplingSnapshot {
  rulesFile: string | null;
  /** Epoch seconds of the last (re)load: the API's `LastRuleModification`. */
  loadedAt: number;
  /** `GetSamplingRules` calls answered, and when the last one was (epoch seconds, or null). */
  rulesFetches: number;
  lastRulesFetchAt: number | null;
  rules: Array<SamplingRule & { counts: RuleCounts; clients: number; lastReportAt: number | null }>;
}

interface ClientReport {
  /** Requests per second over the client's last reporting period. */
  rate: number;
  /** Epoch seconds of the report. */
  at: number;
}

const DEFAULT_TARGET_INTERVAL_S = 10;
const MAX_BODY_BYTES = 1 << 20;

/**
 * The two calls X-Ray samplers make through the daemon's TCP proxy (`POST /GetSamplingRules`,
 * `POST /SamplingTargets`), answered locally. Like the X-Ray service, it shares each rule's
 * reservoir among the clients that reported for it, in proportion to their request rates, and
 * counts what they report; a rules file that changes is picked up at the next call, and samplers
 * learn of it from `LastRuleModification`.
 */
export class SamplingService {
  private rules: SamplingRule[];
  private loadedAt: number;
  private fileStamp: string | undefined;
  private readonly counts = new Map<string, RuleCounts>();
  private readonly lastReportAt = new Map<string, number>();
  private rulesFetches = 0;
  private lastRulesFetchAt: number | null = null;
  private readonly clients = new Map<string, Map<string, ClientReport>>();
  private readonly now: () => number;
  private readonly interval: number;
  private readonly warn: (message: string) => void;

  constructor(private readonly options: SamplingServiceOptions = {}) {
    this.now = options.now ?? Date.now;
    this.interval = options.targetIntervalSeconds ?? DEFAULT_TARGET_INTERVAL_S;
    this.warn = options.onWarning ?? (() => {});
    this.rules = options.rules ?? (options.rulesFile !== undefined ? loadSamplingRules(options.rulesFile) : defaultSamplingRules());
    this.loadedAt = this.nowSeconds();
    this.fileStamp = options.rulesFile !== undefined ? stampOf(options.rulesFile) : undefined;
  }

  /** The request listener for the TCP port. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    const handler = path === '/GetSamplingRules' ? this.getSamplingRules : path === '/SamplingTargets' ? this.samplingTargets : undefined;
    if (!handler) {
      sendJson(res, 404, {
        __type: 'NotFoundException',
        message: 'this local X-Ray daemon stand-in answers only POST /GetSamplingRules and POST /SamplingTargets',
      });
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendJson(res, 405, { __type: 'MethodNotAllowed', message: `${path} takes POST` });
      return;
    }
    readBody(req)
      .then((text) => {
        let body: unknown = {};
        if (text.trim() !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            sendJson(res, 400, { __type: 'InvalidRequestException', message: 'the request body is not JSON' });
            return;
          }
        }
        this.reloadIfChanged();
        sendJson(res, 200, handler(body));
      })
      .catch((err: Error) => sendJson(res, 413, { __type: 'InvalidRequestException', message: err.message }));
  };

  /** The rules in force and what samplers reported for each (for the web page). */
  snapshot(): SamplingSnapshot {
    this.reloadIfChanged();
    return {
      rulesFile: this.options.rulesFile ?? null,
      loadedAt: this.loadedAt,
      rulesFetches: this.rulesFetches,
      lastRulesFetchAt: this.lastRulesFetchAt,
      rules: this.rules.map((r) => ({
        ...r,
        counts: { ...(this.counts.get(r.RuleName) ?? { requests: 0, sampled: 0, borrowed: 0 }) },
        clients: this.activeClients(r.RuleName, this.nowSeconds()).size,
        lastReportAt: this.lastReportAt.get(r.RuleName) ?? null,
      })),
    };
  }

  private readonly getSamplingRules = () => {
    this.rulesFetches++;
    this.lastRulesFetchAt = this.nowSeconds();
    return { SamplingRuleRecords: this.rules.map((r) => ({ SamplingRule: r, CreatedAt: this.loadedAt, ModifiedAt: this.loadedAt })) };
  };

  private readonly samplingTargets = (body: unknown) => {
    const docs = isObject(body) && Array.isArray(body.SamplingStatisticsDocuments) ? body.SamplingStatisticsDocuments : [];
    const t = this.nowSeconds();
    const byName = new Map(this.rules.map((r) => [r.RuleName, r]));
    const targets: object[] = [];
    const unprocessed: object[] = [];
    for (const doc of docs) {
      const name = isObject(doc) && typeof doc.RuleName === 'string' ? doc.RuleName : undefined;
      const r = name === undefined ? undefined : byName.get(name);
      if (!r || !isObject(doc)) {
        unprocessed.push({ RuleName: name ?? '', ErrorCode: '400', Message: `unknown sampling rule ${JSON.stringify(name ?? null)}` });
        continue;
      }
      const clientId = typeof doc.ClientID === 'string' ? doc.ClientID : '';
      this.record(r.RuleName, clientId, doc, t);
      const active = this.activeClients(r.RuleName, t);
      const quotas = shareReservoir(r.ReservoirSize, [...active].map(([id, c]) => ({ id, rate: c.rate })));
      targets.push({
        RuleName: r.RuleName,
        FixedRate: r.FixedRate,
        ReservoirQuota: quotas.get(clientId) ?? 0,
        ReservoirQuotaTTL: t + this.interval,
        Interval: this.interval,
      });
    }
    return { SamplingTargetDocuments: targets, LastRuleModification: this.loadedAt, UnprocessedStatistics: unprocessed };
  };

  private record(rule: string, clientId: string, doc: Record<string, unknown>, t: number): void {
    const requests = count(doc.RequestCount);
    const c = this.counts.get(rule) ?? { requests: 0, sampled: 0, borrowed: 0 };
    c.requests += requests;
    c.sampled += count(doc.SampledCount);
    c.borrowed += count(doc.BorrowCount);
    this.counts.set(rule, c);
    this.lastReportAt.set(rule, t);
    let clients = this.clients.get(rule);
    if (clients === undefined) this.clients.set(rule, (clients = new Map()));
    // Samplers report once per interval, so each report covers one interval.
    clients.set(clientId, { rate: requests / this.interval, at: t });
  }

  /** Clients that reported for the rule within the last two intervals: the ones sharing its reservoir. */
  private activeClients(rule: string, t: number): Map<string, ClientReport> {
    const clients = this.clients.get(rule) ?? new Map<string, ClientReport>();
    for (const [id, c] of clients) if (t - c.at > 2 * this.interval) clients.delete(id);
    return clients;
  }

  private reloadIfChanged(): void {
    const file = this.options.rulesFile;
    if (file === undefined) return;
    const stamp = stampOf(file);
    if (stamp === this.fileStamp) return;
    this.fileStamp = stamp;
    try {
      this.rules = loadSamplingRules(file);
    } catch (err) {
      this.warn(`${(err as Error).message}; the previous rules stay in force`);
      return;
    }
    this.loadedAt = this.nowSeconds();
    const names = new Set(this.rules.map((r) => r.RuleName));
    for (const name of [...this.counts.keys()]) if (!names.has(name)) this.counts.delete(name);
    for (const name of [...this.lastReportAt.keys()]) if (!names.has(name)) this.lastReportAt.delete(name);
    for (const name of [...this.clients.keys()]) if (!names.has(name)) this.clients.delete(name);
  }

  private nowSeconds(): number {
    return this.now() / 1000;
  }
}

/** Size and modification time: what changes when the file is rewritten (undefined once it is gone). */
function stampOf(file: string): string | undefined {
  try {
    const s = statSync(file, { bigint: true });
    return `${s.size}:${s.mtimeNs}`;
  } catch {
    return undefined;
  }
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
