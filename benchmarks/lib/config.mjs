// Measurement profiles. Full: a few minutes on a 2-core machine. Quick: CI smoke, < 1 minute,
// still every contender and workload, still a report.
export const PROFILES = {
  full: {
    name: 'full',
    micro: { runs: 5, processWarmupMs: 1500, warmupMs: 250, measureMs: 600, heapMs: 350, heapCheckpoints: 5 },
    http: { runs: 3, connections: 10, warmupSeconds: 1.5, durationSeconds: 3 },
    export: { runs: 3, warmupMs: 1000, measureMs: 800, traces: 512 },
    cost: { rounds: 11, windowMs: 200, warmupMs: 800, sizeReps: 5 },
  },
  quick: {
    name: 'quick',
    micro: { runs: 1, processWarmupMs: 400, warmupMs: 100, measureMs: 150, heapMs: 100, heapCheckpoints: 4 },
    http: { runs: 1, connections: 10, warmupSeconds: 1, durationSeconds: 2 },
    export: { runs: 1, warmupMs: 300, measureMs: 250, traces: 512 },
    cost: { rounds: 3, windowMs: 80, warmupMs: 300, sizeReps: 2 },
  },
};

/** `--quick`, `--runs=N`, `--only=a,b` (workload ids, `http`, `export`), `--contenders=a,b`, `--json=path`. */
export function parseArgs(argv = process.argv.slice(2)) {
  const args = { quick: false, runs: undefined, only: undefined, contenders: undefined, json: undefined };
  for (const a of argv) {
    if (a === '--quick') args.quick = true;
    else if (a.startsWith('--runs=')) args.runs = Number(a.slice(7));
    else if (a.startsWith('--only=')) args.only = a.slice(7).split(',').filter(Boolean);
    else if (a.startsWith('--contenders=')) args.contenders = a.slice(13).split(',').filter(Boolean);
    else if (a.startsWith('--json=')) args.json = a.slice(7);
    else if (a === '--help' || a === '-h') args.help = true;
    else throw new Error(`unknown argument ${a} (known: --quick, --runs=N, --only=a,b, --contenders=a,b, --json=path)`);
  }
  if (args.runs !== undefined && !(Number.isInteger(args.runs) && args.runs > 0)) throw new Error('--runs wants a positive integer');
  return args;
}

export function profileFor(args) {
  const p = structuredClone(args.quick ? PROFILES.quick : PROFILES.full);
  if (args.runs) {
    p.micro.runs = args.runs;
    p.http.runs = args.runs;
    p.export.runs = args.runs;
    p.cost.rounds = args.runs;
  }
  return p;
}
