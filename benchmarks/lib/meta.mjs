// Describes the environment a report was measured in.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { BSP_CONFIG } from './otel-setup.mjs';
import { machineInfo } from './runner.mjs';

function version(pkg) {
  try {
    const url = new URL(pkg ? `../../node_modules/${pkg}/package.json` : '../../package.json', import.meta.url);
    return JSON.parse(readFileSync(url, 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

export function describe({ mode, profile, sink }) {
  return {
    mode,
    machine: machineInfo(),
    profile,
    bsp: BSP_CONFIG,
    sinkRecvBuffer: sink.recvBufferSize,
    // 1/5/15-minute load averages when the run started: anything else running skews timings.
    loadAverageBefore: loadavg(),
    versions: {
      'xray-otel-bridge': version(''),
      '@opentelemetry/api': version('@opentelemetry/api'),
      '@opentelemetry/sdk-trace-base': version('@opentelemetry/sdk-trace-base'),
      '@opentelemetry/context-async-hooks': version('@opentelemetry/context-async-hooks'),
      'aws-xray-sdk-core': version('aws-xray-sdk-core'),
      autocannon: version('autocannon'),
    },
  };
}
