/**
 * `setLogger`/`getLogger` as the SDK has them: any object with `debug`, `info`, `warn` and `error`.
 * The default writes to the console like the SDK's: level `error` unless `AWS_XRAY_DEBUG_MODE`
 * (debug) or `AWS_XRAY_LOG_LEVEL` says otherwise, a timestamp and level outside Lambda.
 */
export interface LegacyLogger {
  debug(message: string, meta?: unknown): void;
  info(message: string, meta?: unknown): void;
  warn(message: string, meta?: unknown): void;
  error(message: string, meta?: unknown): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
type Level = (typeof LEVELS)[number];
const DEFAULT_LEVEL = LEVELS.indexOf('error');

function levelFromEnv(env: NodeJS.ProcessEnv): number {
  const level = env.AWS_XRAY_DEBUG_MODE ? 'debug' : env.AWS_XRAY_LOG_LEVEL;
  if (!level) return DEFAULT_LEVEL;
  const index = LEVELS.indexOf(level.toLowerCase() as Level);
  return index >= 0 ? index : DEFAULT_LEVEL;
}

function timestamp(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const local = new Date(date.getTime() + offset * 60_000).toISOString().replace('T', ' ').replace('Z', ' ');
  return `${local}${offset >= 0 ? '+' : '-'}${pad(offset / 60)}:${pad(offset % 60)}`;
}

function format(level: Level, message: string, meta: unknown): string {
  const parts: string[] = [];
  if (process.env.LAMBDA_TASK_ROOT === undefined) parts.push(timestamp(new Date()), `[${level.toUpperCase()}]`);
  if (message) parts.push(message);
  const head = parts.join(' ');
  const tail = meta ? (typeof meta === 'string' ? meta : JSON.stringify(meta)) : '';
  return tail ? `${head}\n  ${tail}` : head;
}

/** The SDK's default console logger, level read from the environment once. */
export function consoleLogger(env: NodeJS.ProcessEnv = process.env): LegacyLogger {
  const min = levelFromEnv(env);
  const make = (level: Exclude<Level, 'silent'>) => {
    if (LEVELS.indexOf(level) < min) return () => {};
    return (message: string, meta?: unknown) => {
      if (message || meta) console[level](format(level, message, meta));
    };
  };
  return { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error') };
}

/**
 * The logger every part of the drop-in writes through. Calls go to whatever `setLogger` installed
 * last; one that throws is silenced, since logging runs inside the application's own calls.
 */
export class LoggerHolder {
  private current: LegacyLogger = consoleLogger();
  readonly safe: LegacyLogger;

  constructor() {
    const call = (level: keyof LegacyLogger) => (message: string, meta?: unknown) => {
      try {
        if (meta === undefined) this.current[level](message);
        else this.current[level](message, meta);
      } catch {
        // A logger that throws must not break the traced call.
      }
    };
    this.safe = { debug: call('debug'), info: call('info'), warn: call('warn'), error: call('error') };
  }

  set(logger: LegacyLogger): void {
    this.current = logger;
  }

  get(): LegacyLogger {
    return this.current;
  }
}
