// The floor for the exporter-cost benchmark: a hand-written serializer that writes the same
// fields the exporter writes for the benchmark's spans (ids, times, names, the HTTP block, the
// attributes as metadata, the exception with its parsed stack), one document per span, and does
// nothing else: no attribute vocabulary, no validation, no nesting, no size limit. Not a
// translator: only a lower bound showing what serialization alone costs on this machine.
const HEADER = '{"format":"json","version":1}\n';
const FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):\d+\)?$/;

const str = (s) => JSON.stringify(s);
const seconds = (t) => (t[0] * 1e6 + Math.round(t[1] / 1000)) / 1e6;

function httpBlock(a) {
  const method = a['http.request.method'];
  if (method === undefined) return '';
  const url = `${a['url.scheme']}://${a['server.address']}${a['url.path']}`;
  return (
    `,"http":{"request":{"method":${str(method)},"url":${str(url)},"user_agent":${str(a['user_agent.original'])},"client_ip":${str(a['client.address'])},"x_forwarded_for":true}` +
    `,"response":{"status":${a['http.response.status_code']}}}`
  );
}

function metadata(a, resource) {
  let out = '';
  for (const key in a) {
    if (key.startsWith('http.') || key.startsWith('url.') || key === 'client.address' || key === 'server.address' || key === 'user_agent.original') continue;
    out += `${out ? ',' : ''}${str(key)}:${str(a[key])}`;
  }
  if (resource) for (const key in resource) out += `${out ? ',' : ''}${str('otel.resource.' + key)}:${str(resource[key])}`;
  return out ? `,"metadata":{"default":{${out}}}` : '';
}

function cause(span) {
  let out = '';
  for (const e of span.events) {
    if (e.name !== 'exception') continue;
    const a = e.attributes;
    let frames = '';
    for (const line of a['exception.stacktrace'].split('\n')) {
      const m = FRAME.exec(line);
      if (m) frames += `${frames ? ',' : ''}{"path":${str(m[2])},"line":${m[3]},"label":${str(m[1] ?? '')}}`;
    }
    out += `${out ? ',' : ''}{"id":"0123456789abcdef","type":${str(a['exception.type'])},"message":${str(a['exception.message'])},"stack":[${frames}]}`;
  }
  return out ? `,"fault":true,"cause":{"working_directory":${str(process.cwd())},"exceptions":[${out}]}` : '';
}

/** Spans → datagrams, one per span. */
export function referenceSerialize(spans) {
  const out = new Array(spans.length);
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i];
    const sc = s.spanContext();
    const parent = s.parentSpanContext;
    const segment = parent === undefined;
    const tid = sc.traceId;
    let doc = segment ? '{' : `{"type":"subsegment","parent_id":"${parent.spanId}",`;
    doc += `"trace_id":"1-${tid.slice(0, 8)}-${tid.slice(8)}","name":${str(segment ? s.resource.attributes['service.name'] : s.name)},"id":"${sc.spanId}"`;
    doc += `,"start_time":${seconds(s.startTime)},"end_time":${seconds(s.endTime)}`;
    doc += httpBlock(s.attributes) + cause(s) + metadata(s.attributes, segment ? s.resource.attributes : undefined) + '}';
    out[i] = HEADER + doc;
  }
  return out;
}
