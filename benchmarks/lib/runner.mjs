// Parent side: forks one fresh Node per (contender, workload, run), points it at the UDP sink
// through AWS_XRAY_DAEMON_ADDRESS, and collects its result plus what the sink received from it.
// Children run one at a time, so the sink's counters between fork and exit belong to that child.
import { fork } from 'node:child_process';
import os from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url));

function spawnChild(job, sink) {
  return fork(CHILD, [JSON.stringify({ ...job, daemonAddress: sink.address })], {
    execArgv: ['--expose-gc', ...(process.env.BENCH_FLUSH ? [] : ['--no-flush-bytecode'])],
    env: { ...process.env, AWS_XRAY_DAEMON_ADDRESS: sink.address, OTEL_LOG_LEVEL: 'none' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function waitForResult(child, onMessage) {
  return new Promise((resolve, reject) => {
    let settled = false;
    child.on('message', async (msg) => {
      if (msg?.type === 'result') {
        settled = true;
        resolve(msg.result);
      } else if (msg?.type === 'error') {
        settled = true;
        reject(new Error(`child failed:\n${msg.error}`));
      } else if (onMessage) {
        try {
          await onMessage(msg);
        } catch (err) {
          settled = true;
          child.kill();
          reject(err);
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (!settled) reject(new Error(`child exited (${code ?? signal}) without a result`));
    });
  });
}

async function withSinkAccounting(sink, fn) {
  const before = sink.snapshot();
  const result = await fn();
  await sink.settle();
  const got = sink.since(before);
  return {
    ...result,
    received: got,
    spansReceived: got.entities,
  };
}

/**
 * Micro workloads: one child for one contender runs every listed workload; after each it sends
 * a partial result, we wait for the sink to go quiet, attribute what arrived, and let it go on.
 */
export async function runMicroJob(job, sink) {
  const child = spawnChild(job, sink);
  const results = [];
  let before = sink.snapshot();
  const final = await waitForResult(child, async (msg) => {
    if (msg.type !== 'partial' && msg.type !== 'warmed' && msg.type !== 'heap') return;
    await sink.settle();
    const got = sink.since(before);
    if (msg.type === 'partial') {
      results.push({ ...msg.result, received: got, spansReceived: got.entities });
    } else if (msg.type === 'heap') {
      // The heap phase's spans count towards the workload's delivery figures too.
      const r = results.find((x) => x.workload === msg.result.workload);
      const { spansCreated, ...heap } = msg.result;
      Object.assign(r, heap);
      r.spansCreated += spansCreated;
      r.spansReceived += got.entities;
      r.received = {
        datagrams: r.received.datagrams + got.datagrams,
        bytes: r.received.bytes + got.bytes,
        entities: r.received.entities + got.entities,
      };
    }
    before = sink.snapshot();
    child.send({ type: 'continue' });
  });
  await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  for (const r of results) r.exporter = final?.exporter;
  return results;
}

/** Export-only job: the child does everything and reports. */
export function runJob(job, sink) {
  return withSinkAccounting(sink, async () => {
    const child = spawnChild(job, sink);
    const result = await waitForResult(child);
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    return result;
  });
}

/** HTTP job: the child serves, the parent drives it with autocannon (warm-up, then measured). */
export function runHttpJob(job, sink) {
  const autocannon = require('autocannon');
  const fire = (port, duration) =>
    new Promise((resolve, reject) => {
      autocannon(
        { url: `http://127.0.0.1:${port}/work`, connections: job.connections, duration, timeout: 10 },
        (err, res) => (err ? reject(err) : resolve(res)),
      );
    });
  return withSinkAccounting(sink, async () => {
    const child = spawnChild(job, sink);
    let load;
    let port;
    const result = await waitForResult(child, async (msg) => {
      if (msg.type === 'ready') {
        port = msg.port;
        await fire(port, job.warmupSeconds / 2);
        child.send({ type: 'heap-start' });
      } else if (msg.type === 'heap-started') {
        await fire(port, job.warmupSeconds / 2);
        child.send({ type: 'measure-start' });
      } else if (msg.type === 'measure-started') {
        load = await fire(port, job.durationSeconds);
        child.send({ type: 'measure-stop' });
      }
    });
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    return {
      ...result,
      requestsPerSecond: load.requests.average,
      requestsTotal: load.requests.total,
      latencyP50Ms: load.latency.p50,
      latencyP99Ms: load.latency.p99,
      latencyAvgMs: load.latency.average,
      non2xx: load.non2xx,
      errors: load.errors,
      timeouts: load.timeouts,
      usPerUnit: result.units > 0 ? result.elapsedNs / 1e3 / result.units : NaN,
    };
  });
}

export function machineInfo() {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    date: new Date().toISOString(),
  };
}
