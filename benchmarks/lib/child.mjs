// Child-process entry: one contender, one workload, in a fresh V8 (started by runner.mjs with
// --expose-gc). The job arrives as JSON in argv[2]; results go back over the IPC channel.
import http from 'node:http';
import { setImmediate as tick } from 'node:timers/promises';
import { loadContender } from './contenders/index.mjs';
import { httpUnit, HTTP_INNER_DEPTH, workloadById } from './workloads.mjs';

const now = () => process.hrtime.bigint();
/** Whether the sink should receive this contender's spans (what the delivery check counts). */
const exported = (t) => t.tracesSpans && t.exportsSpans !== false;

/** Heap in use after full collections (twice, with a turn between for destroy hooks / finalizers). */
async function settledHeap() {
  if (typeof global.gc !== 'function') return NaN;
  for (let i = 0; i < 3; i++) {
    global.gc();
    await tick();
  }
  return process.memoryUsage().heapUsed;
}

/** Runs units back to back for `ms` milliseconds; returns how many ran. */
async function runFor(t, workload, ms) {
  const deadline = now() + BigInt(Math.round(ms * 1e6));
  const { unit } = workload;
  let units = 0;
  do {
    for (let k = 0; k < 16; k++) await unit(t);
    units += 16;
    // Synchronous units never reach the event loop on their own; let exports and sends run.
    if (workload.sync) await tick();
  } while (now() < deadline);
  return units;
}

/** Least-squares slope of y over x, with its standard error. */
function fitSlope(points) {
  const n = points.length;
  if (n < 3) return { slope: NaN, se: NaN };
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  if (sxx === 0) return { slope: NaN, se: NaN };
  const slope = sxy / sxx;
  let rss = 0;
  for (const [x, y] of points) rss += (y - my - slope * (x - mx)) ** 2;
  return { slope, se: Math.sqrt(rss / (n - 2) / sxx) };
}

/**
 * Heap growth per unit: settled heap at `checkpoints + 1` points while running units, and the
 * slope of heap over units (a constant offset, e.g. lazily compiled code, does not count; a
 * leak does). Runs after the timed phase so the forced collections do not touch the timings.
 */
async function heapSlope(t, workload, ms, checkpoints) {
  const points = [];
  let units = 0;
  await t.flush();
  points.push([0, await settledHeap()]);
  for (let i = 0; i < checkpoints; i++) {
    units += await runFor(t, workload, ms / checkpoints);
    await t.flush();
    points.push([units, await settledHeap()]);
  }
  const fit = fitSlope(points);
  return { units, points, bytesPerUnit: fit.slope, bytesPerUnitSe: fit.se };
}

/** Sends `msg` and waits for the parent's reply. */
function handshake(msg) {
  const reply = new Promise((resolve) => process.once('message', resolve));
  process.send(msg);
  return reply;
}

/**
 * Warm-up and timed window for one workload. No forced GC here: a full collection shrinks the
 * heap limits and the next few thousand units pay for it (allocation-heavy contenders more than
 * others), so forced GCs happen only in the heap phases, after every timed window.
 */
async function timeWorkload(t, workload, job) {
  const warmUnits = await runFor(t, workload, job.warmupMs);
  await t.flush();

  const cpu0 = process.cpuUsage();
  const start = now();
  const units = await runFor(t, workload, job.measureMs);
  await t.flush(); // export work still queued counts against the contender
  const elapsedNs = Number(now() - start);
  const cpu = process.cpuUsage(cpu0);

  const totalUnits = warmUnits + units;
  return {
    kind: 'micro',
    contender: t.name,
    label: t.label,
    workload: workload.id,
    units,
    elapsedNs,
    usPerUnit: elapsedNs / 1e3 / units,
    // CPU time of this process (all threads: main, GC helpers) per unit; less sensitive than wall
    // time to other load on the machine.
    cpuUsPerUnit: (cpu.user + cpu.system) / units,
    totalUnits,
    spansCreated: exported(t) ? totalUnits * workload.spansPerUnit : 0,
  };
}

/**
 * One contender, the listed workloads in turn: every timed window first, then every heap phase.
 * After each step the child reports and waits for the parent's go-ahead, so the parent can
 * attribute what the sink received to that workload.
 */
async function micro(job) {
  const t = await (await loadContender(job.contender)).create({ daemonAddress: job.daemonAddress });
  const workloads = job.workloads.map(workloadById);
  // Process warm-up: every workload in turn, so the tracing code (span creation, translation,
  // export) reaches optimized code before anything is timed; the exporter only runs once per
  // 512 spans, so this takes a few thousand units.
  for (const w of workloads) await runFor(t, w, (job.processWarmupMs ?? 0) / workloads.length);
  await t.flush();
  await handshake({ type: 'warmed' }); // the parent discounts what the warm-up sent
  const results = [];
  for (const w of workloads) {
    const r = await timeWorkload(t, w, job);
    results.push(r);
    await handshake({ type: 'partial', result: r });
  }
  for (const w of workloads) {
    const heap = await heapSlope(t, w, job.heapMs, job.heapCheckpoints ?? 5);
    const heapResult = {
      workload: w.id,
      heapUnits: heap.units,
      heapPoints: heap.points,
      heapGrowthPer100k: heap.bytesPerUnit * 100_000,
      heapGrowthPer100kSe: heap.bytesPerUnitSe * 100_000,
      spansCreated: exported(t) ? heap.units * w.spansPerUnit : 0,
    };
    await handshake({ type: 'heap', result: heapResult });
  }
  const exporter = t.stats?.();
  await t.shutdown();
  return { exporter };
}

/** An HTTP server doing one unit per request; the parent drives it with autocannon. */
async function httpServer(job) {
  const t = await (await loadContender(job.contender)).create({ daemonAddress: job.daemonAddress });
  let handled = 0;
  let failed = 0;
  const server = http.createServer((req, res) => {
    t.httpSegment(req, res, async () => {
      await httpUnit(t);
      res.statusCode = 200;
      res.setHeader('content-type', 'text/plain');
      res.end('ok\n');
    }).then(
      () => {
        handled++;
      },
      () => {
        failed++;
        if (!res.headersSent) res.writeHead(500);
        res.end();
      },
    );
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

  let heapBefore = NaN;
  let handledAtStart = 0;
  let startNs = 0n;
  let handledAtHeapStart = 0;
  let cpuAtStart;
  return new Promise((resolve) => {
    process.on('message', async (msg) => {
      if (msg?.type === 'heap-start') {
        // Baseline between the two warm-up halves: the second half absorbs the aftermath of
        // the forced GC before the measured load starts.
        await t.flush();
        heapBefore = await settledHeap();
        handledAtHeapStart = handled;
        process.send({ type: 'heap-started' });
      } else if (msg?.type === 'measure-start') {
        handledAtStart = handled;
        cpuAtStart = process.cpuUsage();
        startNs = now();
        process.send({ type: 'measure-started' });
      } else if (msg?.type === 'measure-stop') {
        const units = handled - handledAtStart;
        const elapsedNs = Number(now() - startNs);
        const cpu = process.cpuUsage(cpuAtStart);
        await t.flush();
        const heapAfter = await settledHeap();
        await new Promise((r) => server.close(() => r()));
        const exporter = t.stats?.();
        await t.shutdown();
        resolve({
          kind: 'http',
          contender: t.name,
          label: t.label,
          workload: 'http',
          units,
          elapsedNs,
          cpuUsPerUnit: units > 0 ? (cpu.user + cpu.system) / units : NaN,
          handled,
          failed,
          heapBefore,
          heapAfter,
          heapUnits: handled - handledAtHeapStart,
          heapGrowthPer100k: ((heapAfter - heapBefore) / (handled - handledAtHeapStart)) * 100_000,
          spansCreated: exported(t) ? handled * (1 + HTTP_INNER_DEPTH) : 0,
          exporter,
        });
      }
    });
    process.send({ type: 'ready', port: server.address().port });
  });
}

async function exportOnly(job) {
  const { runExport } = await import('./export-workload.mjs');
  return runExport(job);
}

async function exporterCost(job) {
  const { runExporterCost } = await import('./exporter-cost.mjs');
  return runExporterCost(job);
}

const job = JSON.parse(process.argv[2]);
const modes = { micro, http: httpServer, export: exportOnly, cost: exporterCost };
try {
  const result = await modes[job.mode](job);
  process.send({ type: 'result', result }, () => process.exit(0));
} catch (err) {
  process.send({ type: 'error', error: String(err?.stack ?? err) }, () => process.exit(1));
}
