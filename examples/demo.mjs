// `npm run demo`: the project's main job on any machine, no AWS account needed.
//
// It starts the local X-Ray daemon stand-in in this process, runs a tiny two-service shop whose
// code mixes legacy X-Ray recorder calls with plain OpenTelemetry HTTP instrumentation, exports
// every span through XRayUdpSpanExporter over real UDP, and prints the traces the daemon
// assembled. It exits 0 when every document was one X-Ray would accept.
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { registerXRay, xrayRecorder } from '../dist/index.js';
import { renderTrace, startLocalDaemon } from '../dist/local-daemon.js';

const DEADLINE_MS = 45_000;
const deadline = setTimeout(() => {
  console.error('demo: did not finish within 45 s; giving up');
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
const log = (message) => process.stdout.write(`${color ? '\u001b[2m' : ''}demo: ${message}${color ? '\u001b[22m' : ''}\n`);

// 1. The stand-in, on free ports so a real daemon on 2000 is left alone. The exporter reads
//    AWS_XRAY_DAEMON_ADDRESS before its own option, so point that at the stand-in too.
const daemon = await startLocalDaemon({ address: '127.0.0.1:0', quietMs: 200 });
process.env.AWS_XRAY_DAEMON_ADDRESS = daemon.address.daemonAddress;
const rejected = [];
daemon.on('datagram', (d) => {
  if (!d.ok) rejected.push(d);
});
log(`local X-Ray daemon listening on ${daemon.address.daemonAddress}`);

// 2. OpenTelemetry with the X-Ray exporter, then HTTP instrumentation. The instrumentation patches
//    `http` when it is required, so the module is loaded with require after registering it.
const xray = registerXRay({ serviceName: 'storefront', batch: { scheduledDelayMillis: 50 } });
const ports = new Map(); // local port -> service name, to name each server's segment
registerInstrumentations({
  instrumentations: [
    new HttpInstrumentation({
      startIncomingSpanHook: (req) => ({ 'aws.local.service': ports.get(req.socket.localPort) ?? 'storefront' }),
      // The demo's own requests stand for customers' browsers, which are not traced.
      ignoreOutgoingRequestHook: (options) => ports.get(Number(options.port)) === 'storefront',
      startOutgoingSpanHook: (options) => (ports.has(Number(options.port)) ? { 'peer.service': ports.get(Number(options.port)) } : {}),
    }),
  ],
});
const http = createRequire(import.meta.url)('node:http');

// 3. The shop. The route handlers are plain Node; the business code inside is "legacy" code
//    written against the X-Ray SDK's recorder API, unchanged.
const lookupStock = xrayRecorder.captureAsync('lookup-stock')(async function lookupStock(sku) {
  const sub = xrayRecorder.getTraceEntity();
  sub.setSql({ url: 'postgresql://db.internal:5432/shop', database_type: 'PostgreSQL', sanitized_query: 'SELECT qty FROM stock WHERE sku = $1' });
  sub.putAnnotation('sku', sku);
  await sleep(8);
  if (sku === 'discontinued') throw new Error(`no stock record for ${sku}`);
  return { sku, qty: 7 };
});

const inventory = http.createServer(async (req, res) => {
  const sku = decodeURIComponent(new URL(req.url, 'http://x').pathname.split('/').pop());
  try {
    const stock = await lookupStock(sku);
    send(res, 200, stock);
  } catch (err) {
    send(res, 404, { error: err.message });
  }
});

const priceCart = xrayRecorder.captureAsync('price-cart')(async function priceCart(sku) {
  xrayRecorder.putAnnotation('customer_tier', 'gold');
  xrayRecorder.putMetadata('cart', { sku, items: 2, currency: 'EUR' });
  await sleep(5);
  return 2 * 19.9;
});

const storefront = http.createServer(async (req, res) => {
  const sku = new URL(req.url, 'http://x').searchParams.get('sku') ?? 'book-42';
  const total = await priceCart(sku);
  const stock = await getJson(`http://127.0.0.1:${inventory.address().port}/stock/${encodeURIComponent(sku)}`);
  if (stock.status !== 200) {
    xrayRecorder.inSubsegment('report-unavailable', (sub) => sub.addErrorFlag());
    return send(res, 502, { error: `inventory answered ${stock.status}` });
  }
  send(res, 200, { sku, total, inStock: stock.body.qty });
});

await listen(inventory, 'inventory');
await listen(storefront, 'storefront');
const shopUrl = `http://127.0.0.1:${storefront.address().port}`;

// 4. Traffic: a good checkout, one that fails downstream, and a batch job written entirely with
//    the recorder's imperative API, as many X-Ray users' cron jobs are.
for (const sku of ['book-42', 'discontinued']) {
  const r = await getJson(`${shopUrl}/checkout?sku=${sku}`);
  log(`GET /checkout?sku=${sku} -> ${r.status}`);
}
xrayRecorder.beginSegment('nightly-report');
xrayRecorder.putAnnotation('report', 'daily-sales');
const sub = xrayRecorder.beginSubsegment('aggregate-orders');
sub.putMetadata('window', { from: '00:00', to: '23:59' });
await sleep(3);
xrayRecorder.endSubsegment();
xrayRecorder.endSegment();
log('ran the nightly-report job');

// 5. Flush: the batch processor hands everything to the exporter, which sends it over UDP.
await xray.shutdown();
await Promise.all([close(storefront), close(inventory)]);
const sent = xray.exporter.stats().datagramsSent;
// Loopback UDP arrives at once in practice; the wait is bounded all the same.
for (let waited = 0; daemon.stats.datagrams < sent && waited < 5000; waited += 20) await sleep(20);
const traces = daemon.flush();
await daemon.close();

// 6. What X-Ray would show.
process.stdout.write('\n');
for (const trace of traces.sort((a, b) => a.start - b.start)) process.stdout.write(renderTrace(trace, { color }) + '\n');
log(`${traces.length} traces, ${sent} documents sent, ${daemon.stats.accepted} accepted, ${daemon.stats.rejected} rejected`);
if (rejected.length > 0) {
  for (const r of rejected) console.error(`demo: rejected document: ${r.errors.join('; ')}`);
  process.exitCode = 1;
}
clearTimeout(deadline);

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function getJson(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
      })
      .on('error', reject);
  });
}

function listen(server, name) {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      ports.set(server.address().port, name);
      resolve();
    }),
  );
}

function close(server) {
  return new Promise((resolve) => server.close(() => resolve()));
}
