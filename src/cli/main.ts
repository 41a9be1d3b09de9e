import { parseArgs } from 'node:util';
import { packageInfo } from '../local-daemon/package-root.js';
import { verdictLine } from '../local-daemon/json-lines.js';
import { renderServiceMap } from '../local-daemon/render-map.js';
import { plural, renderTrace, safeText, shouldColor } from '../local-daemon/render-tree.js';
import { buildServiceMap } from '../local-daemon/service-map.js';
import { loadSamplingRules, type SamplingRule } from '../local-daemon/sampling.js';
import { DEFAULT_LISTEN_ADDRESS, formatEndpoint, ListenError, parseListenAddress, startLocalDaemon, type LocalDaemon } from '../local-daemon/server.js';
import { parseHttpAddress } from '../local-daemon/web.js';
import { UsageError } from '../common/errors.js';

const BIN = 'xray-otel-bridge';

const MAIN_HELP = `Usage: ${BIN} <command> [options]

Commands:
  daemon     run a local stand-in for the AWS X-Ray daemon (see "${BIN} daemon --help")

Options:
  -h, --help     show this help
  -v, --version  print the version
`;

const DAEMON_HELP = `Usage: ${BIN} daemon [options]

A local stand-in for the AWS X-Ray daemon, for development without an AWS account. It listens
where the daemon would, applies the daemon's header rules, checks every segment document against
the rules X-Ray enforces and says why X-Ray would reject a bad one, then prints each trace as a
tree once no new documents have arrived for it for a moment.

Options:
  --udp host:port          where to listen: UDP for segment documents, TCP on the same port for
                           sampling rules. Also "udp:host:port tcp:host:port". Port 0 picks a free
                           port. Default: $AWS_XRAY_DAEMON_ADDRESS, else ${DEFAULT_LISTEN_ADDRESS}
  --json                   print one JSON object per datagram instead of trees:
                           {"ok", "verdict", "errors", "warnings", "document", "bytes"};
                           verdict is "accepted", "accepted-with-loss" (warnings say what X-Ray
                           drops) or "rejected" (errors say why)
  --out FILE               append accepted documents to FILE as JSON Lines
  --sampling-rules FILE    answer sampling calls with these rules: an X-Ray SDK local rules file
                           ({"version": 2, "rules": [...], "default": {...}}) or the output of
                           "aws xray get-sampling-rules"; re-read when it changes. Default: 1
                           request per second + 5%
  --http host:port         also serve a web page of traces (off by default). A bare port binds
                           127.0.0.1; name another host to expose it
  --quiet-ms N             print a trace after N ms without new documents (default 1000)
  --map                    print the service map of the traces kept (nodes with requests, latency
                           and ok/error/fault/throttle shares; edges with counts) instead of trees
  --max-traces N           traces kept for the web page; the oldest go first (default 1000)
  --max-memory-mb N        megabytes of documents kept; the oldest traces go first (default 64)
  -h, --help               show this help

Exit status: 0 after SIGINT/SIGTERM, 2 for bad options or an address that is taken.
`;

interface DaemonArgs {
  address: string;
  json: boolean;
  out: string | undefined;
  samplingRules: SamplingRule[] | undefined;
  samplingRulesFile: string | undefined;
  http: string | undefined;
  quietMs: number;
  maxTraces: number | undefined;
  maxStoredBytes: number | undefined;
  map: boolean;
}

function parseDaemonArgs(args: string[], env: NodeJS.ProcessEnv): DaemonArgs | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        udp: { type: 'string' },
        json: { type: 'boolean' },
        out: { type: 'string' },
        'sampling-rules': { type: 'string' },
        http: { type: 'string' },
        'quiet-ms': { type: 'string' },
        'max-traces': { type: 'string' },
        map: { type: 'boolean' },
        'max-memory-mb': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    // parseArgs explains itself ("Unknown option '--x'", "Option '--udp <value>' argument missing").
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';

  const fromEnv = env.AWS_XRAY_DAEMON_ADDRESS?.trim();
  const address = values.udp ?? (fromEnv ? fromEnv : DEFAULT_LISTEN_ADDRESS);
  const source = values.udp !== undefined ? '--udp' : fromEnv ? 'AWS_XRAY_DAEMON_ADDRESS' : 'the default address';
  try {
    parseListenAddress(address);
  } catch (err) {
    throw new UsageError(`${source}: ${(err as Error).message}`);
  }

  const quietMs = wholeNumber(values['quiet-ms'], '--quiet-ms', 'milliseconds') ?? 1000;
  const maxTraces = wholeNumber(values['max-traces'], '--max-traces', 'traces', 1);
  const maxMemoryMb = wholeNumber(values['max-memory-mb'], '--max-memory-mb', 'megabytes', 1);

  if (values.http !== undefined) {
    try {
      parseHttpAddress(values.http);
    } catch (err) {
      throw new UsageError(`--http: ${(err as Error).message}`);
    }
  }

  let samplingRules: SamplingRule[] | undefined;
  if (values['sampling-rules'] !== undefined) {
    try {
      samplingRules = loadSamplingRules(values['sampling-rules']);
    } catch (err) {
      throw new UsageError(`--sampling-rules: ${(err as Error).message}`);
    }
  }
  if (values.out === '') throw new UsageError('--out needs a file name');

  return {
    address,
    json: values.json === true,
    out: values.out,
    samplingRules,
    samplingRulesFile: values['sampling-rules'],
    http: values.http,
    quietMs,
    maxTraces,
    maxStoredBytes: maxMemoryMb === undefined ? undefined : maxMemoryMb * 1024 * 1024,
    map: values.map === true,
  };
}

function wholeNumber(text: string | undefined, option: string, unit: string, min = 0): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${option} must be a whole number of ${unit}${min > 0 ? ` (at least ${min})` : ''}, got ${JSON.stringify(text)}`);
  return n;
}

async function runDaemon(args: DaemonArgs): Promise<number> {
  const color = shouldColor(process.stdout);
  const stderrColor = shouldColor(process.stderr);
  const red = (s: string) => (color ? `\u001b[31m${s}\u001b[39m` : s);
  const yellow = (s: string) => (color ? `\u001b[33m${s}\u001b[39m` : s);
  const dim = (s: string) => (stderrColor ? `\u001b[2m${s}\u001b[22m` : s);

  let daemon: LocalDaemon;
  try {
    daemon = await startLocalDaemon({
      address: args.address,
      http: args.http,
      out: args.out,
      samplingRules: args.samplingRules,
      samplingRulesFile: args.samplingRulesFile,
      quietMs: args.quietMs,
      maxTraces: args.maxTraces,
      maxStoredBytes: args.maxStoredBytes,
    });
  } catch (err) {
    if (err instanceof ListenError) {
      process.stderr.write(`${BIN} daemon: ${err.message}\n`);
      if (err.code === 'EADDRINUSE') process.stderr.write(`Choose another address with --udp host:port (or --http host:port).\n`);
      return 2;
    }
    throw err;
  }

  const { udp, tcp, http } = daemon.address;
  process.stderr.write(
    `${BIN} daemon: listening on UDP ${formatEndpoint(udp)} (segment documents) and TCP ${formatEndpoint(tcp)} (sampling)\n` +
      (http ? `${BIN} daemon: web page at ${http.url}\n` : '') +
      (args.out ? `${BIN} daemon: appending accepted documents to ${args.out}\n` : '') +
      dim(`send with AWS_XRAY_DAEMON_ADDRESS=${daemon.address.daemonAddress}; stop with Ctrl+C\n`),
  );

  daemon.on('datagram', (d) => {
    if (args.json) {
      process.stdout.write(verdictLine(d) + '\n');
      return;
    }
    if (d.verdict === 'accepted') return;
    const doc = d.document;
    const what = doc && typeof doc.name === 'string' ? ` ${JSON.stringify(safeText(doc.name, 80))}` : '';
    const from = `${d.bytes} bytes from ${d.from.address}:${d.from.port}`;
    const lines =
      d.verdict === 'rejected'
        ? [red(`✗ rejected${what} (${from}):`), ...d.errors.map((e) => `    ${safeText(e, 400)}`)]
        : [yellow(`⚠ accepted with loss${what} (${from}): X-Ray keeps the document, but`)];
    // A rejected document's losses matter too once its errors are fixed.
    for (const w of d.warnings) lines.push(`    ${yellow('⚠')} ${safeText(w, 400)}`);
    process.stdout.write(lines.join('\n') + '\n');
  });
  // With --map, traces reported together (one quiet period) print one map, not one each.
  let mapTimer: NodeJS.Timeout | undefined;
  const printMap = () => {
    mapTimer = undefined;
    process.stdout.write(renderServiceMap(buildServiceMap(daemon.traces()), { color }) + '\n');
  };
  daemon.on('trace', (trace) => {
    if (args.json) return;
    if (!args.map) process.stdout.write(renderTrace(trace, { color }) + '\n');
    else mapTimer ??= setTimeout(printMap, 100);
  });
  daemon.on('error', (err) => process.stderr.write(`${BIN} daemon: ${err.message}\n`));
  daemon.on('warning', (message) => process.stderr.write(`${BIN} daemon: ${message}\n`));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        // A second Ctrl+C means "now", even if closing hangs.
        process.exit(130);
      }
      stopping = true;
      void daemon.close().then(() => {
        if (mapTimer !== undefined) {
          clearTimeout(mapTimer);
          printMap();
        }
        const s = daemon.stats;
        process.stderr.write(
          `${BIN} daemon: stopped (${signal}): ${stopSummary(s)}\n`,
        );
        resolve(0);
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function stopSummary(s: LocalDaemon['stats']): string {
  const parts = [plural(s.datagrams, 'datagram'), `${s.accepted.toLocaleString('en-US')} accepted`];
  if (s.acceptedWithLoss > 0) parts.push(`${s.acceptedWithLoss.toLocaleString('en-US')} of them with loss`);
  parts.push(`${s.rejected.toLocaleString('en-US')} rejected`, plural(s.traces, 'trace'));
  const dropped = s.tracesDropped + s.documentsDropped + s.rejectionsDropped + s.outDropped;
  if (dropped > 0) {
    parts.push(
      `not kept (memory caps): ${plural(s.tracesDropped, 'trace')}, ${plural(s.documentsDropped, 'document')}, ` +
        `${plural(s.rejectionsDropped, 'rejection')}, ${plural(s.outDropped, '--out line')}`,
    );
  }
  if (s.internalErrors > 0) parts.push(plural(s.internalErrors, 'internal error'));
  return parts.join(', ');
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    // A usage error: the help goes where errors go, so `xray-otel-bridge > file` shows it.
    process.stderr.write(MAIN_HELP);
    return 2;
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(MAIN_HELP);
    return 0;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`${packageInfo().version}\n`);
    return 0;
  }
  if (command !== 'daemon') {
    process.stderr.write(`${BIN}: unknown command ${JSON.stringify(command)}\n\n${MAIN_HELP}`);
    return 2;
  }
  let args: DaemonArgs | 'help';
  try {
    args = parseDaemonArgs(rest, env);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${BIN} daemon: ${err.message}\nRun "${BIN} daemon --help" for the options.\n`);
      return 2;
    }
    throw err;
  }
  if (args === 'help') {
    process.stdout.write(DAEMON_HELP);
    return 0;
  }
  return runDaemon(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${BIN}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
