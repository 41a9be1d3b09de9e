// Raw OpenTelemetry exactly as the `otel` contender, with an exporter that does nothing: the
// cost of OTel itself (spans, context, BatchSpanProcessor), so that `otel` minus this is what
// the X-Ray exporter costs.
import { createOtelContender } from './otel.mjs';

export const name = 'otel-noop';
export const label = 'raw OTel, no-op exporter';

export function create({ daemonAddress }) {
  return createOtelContender({ daemonAddress, name, label, exporter: 'noop' });
}
