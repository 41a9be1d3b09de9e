// The floor for the exporter-cost benchmark: a hand-written serializer that writes the same
// fields the exporter writes for the benchmark's spans (ids, times, names, the HTTP block, the
// attributes as metadata, the exception with its parsed stack), one document per span, and does
// nothing else: no attribute vocabulary, no validation, no nesting, no size limit. Not a
// translator: only a lower bound showing what serialization alone costs on this machine.
const HEADER = '{"format":"json","version":1}\n';
// Strings JSON writes as they are (printable ASCII but `"` and `\`) need no JSON.stringify call.
const NEEDS_ESCAPE = /[^\x20-\x7e]|["\\]/;

const str = (s) => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);
const value = (v) => (typeof v === 'string' ? str(v) : JSON.stringify(v));
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
    out += `${out ? ',' : ''}${str(key)}:${value(a[key])}`;
  }
  if (resource) for (const key in resource) out += `${out ? ',' : ''}${str('otel.resource.' + key)}:${value(resource[key])}`;
  return out ? `,"metadata":{"default":{${out}}}` : '';
}

function cause(span) {
  let out = '';
  for (const e of span.events) {
    if (e.name !== 'exception') continue;
    const a = e.attributes;
    let frames = '';
    for (const line of a['exception.stacktrace'].split('\n')) {
      const f = frame(line);
      if (f) frames += `${frames ? ',' : ''}{"path":${str(f.path)},"line":${f.line},"label":${str(f.label)}}`;
    }
    out += `${out ? ',' : ''}{"id":"0123456789abcdef","type":${str(a['exception.type'])},"message":${str(a['exception.message'])},"stack":[${frames}]}`;
  }
  return out ? `,"fault":true,"cause":{"working_directory":${str(process.cwd())},"exceptions":[${out}]}` : '';
}

/** `    at label (path:line:column)`, the only frame form the benchmark's stacks have, read with indexOf. */
function frame(line) {
  const at = line.indexOf('at ');
  const open = line.lastIndexOf(' (');
  if (at < 0 || open < at || !line.endsWith(')')) return undefined;
  const column = line.lastIndexOf(':');
  const colon = line.lastIndexOf(':', column - 1);
  if (colon < open) return undefined;
  return { label: line.slice(at + 3, open), path: line.slice(open + 2, colon), line: line.slice(colon + 1, column) };
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
    // A sender needs the datagram's size (this also makes the text flat, as JSON.stringify's is).
    if (Buffer.byteLength(out[i]) > 65_535) throw new Error('datagram too large');
  }
  return out;
}
