// Raw OpenTelemetry exactly as the `otel` contender, with XRayUdpSpanExporter sending from its
// worker thread (`sendFrom: 'worker-thread'`): the UDP sends leave the event loop, so wall time per
// unit shows what the main thread saves, and CPU time (all threads) that the work moved rather than
// went away.
import { createOtelContender } from './otel.mjs';

export const name = 'otel-worker';
export const label = 'raw OTel, worker-thread send';

export function create({ daemonAddress }) {
  return createOtelContender({ daemonAddress, name, label, exporter: 'xray-worker' });
}
