/**
 * What this library logs through. OTel's `DiagLogger` (`diag`) and `console` both fit, so users
 * can pass whatever they already have.
 */
export interface Logger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

const safe = new WeakSet<Logger>();

/**
 * A user's logger, made safe to call from socket callbacks and `finally` blocks: a logger that
 * throws must not crash the process or replace the application's own error.
 */
function safeLogger(logger: Logger): Logger {
  if (safe.has(logger)) return logger;
  const call = (level: keyof Logger, message: string, args: unknown[]): void => {
    try {
      logger[level](message, ...args);
    } catch {
      // Nothing sensible to do with a logger that throws.
    }
  };
  const wrapped: Logger = {
    debug: (m, ...a) => call('debug', m, a),
    info: (m, ...a) => call('info', m, a),
    warn: (m, ...a) => call('warn', m, a),
    error: (m, ...a) => call('error', m, a),
  };
  safe.add(wrapped);
  return wrapped;
}

/**
 * The one way a component gets its logger: the first logger given (the component's own option,
 * then whatever its owner resolved), made safe to call; with none, the default logger.
 */
export function resolveLogger(...given: (Logger | undefined)[]): Logger {
  const logger = given.find((l) => l !== undefined);
  return safeLogger(logger ?? stderrLogger());
}

const LEVELS = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 } as const;
type Level = keyof typeof LEVELS;

function parseLevel(value: string | undefined, fallback: Level): Level {
  const v = value?.trim().toLowerCase();
  return v !== undefined && Object.hasOwn(LEVELS, v) ? (v as Level) : fallback;
}

/**
 * The default logger, as in the X-Ray SDKs: stderr, level from `AWS_XRAY_LOG_LEVEL` (`warn` when
 * unset, read when a component resolves its logger). Messages carry a prefix so they can be found
 * in application logs.
 */
function stderrLogger(level: string | undefined = process.env.AWS_XRAY_LOG_LEVEL): Logger {
  const min = LEVELS[parseLevel(level, 'warn')];
  const write = (lvl: Level, message: string, args: unknown[]) => {
    if (LEVELS[lvl] < min) return;
    const extra = args.length > 0 ? ' ' + args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ') : '';
    process.stderr.write(`[xray-otel-bridge] ${lvl.toUpperCase()} ${message}${extra}\n`);
  };
  return {
    debug: (m, ...a) => write('debug', m, a),
    info: (m, ...a) => write('info', m, a),
    warn: (m, ...a) => write('warn', m, a),
    error: (m, ...a) => write('error', m, a),
  };
}

/**
 * Reports each kind of recurring problem at most once per interval, counting the rest, so a
 * daemon that is down cannot flood the application's logs.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(kind: string, message: string): void {
    const t = this.now();
    const prev = this.last.get(kind);
    if (prev !== undefined && t - prev < this.intervalMs) {
      this.suppressed.set(kind, (this.suppressed.get(kind) ?? 0) + 1);
      return;
    }
    const skipped = this.suppressed.get(kind) ?? 0;
    this.suppressed.set(kind, 0);
    this.last.set(kind, t);
    this.logger.warn(skipped > 0 ? `${message} (${skipped} more since the last report)` : message);
  }
}

const saidOnce = new WeakMap<object, Set<string>>();

/**
 * A warning for a setting that stays wrong for the life of the process (a missing service name):
 * said once per `owner` (the logger the user gave, or the default one), however many exporters or
 * `toSegmentDocuments` calls run into it.
 */
export function warnOnce(owner: object, logger: Logger, kind: string, message: string): void {
  let said = saidOnce.get(owner);
  if (said === undefined) saidOnce.set(owner, (said = new Set()));
  if (said.has(kind)) return;
  said.add(kind);
  logger.warn(message);
}
