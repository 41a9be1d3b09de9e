// captureHTTPsGlobal: outgoing calls become remote subsegments named after the host.
const http = require('http');
const AWSXRay = require('aws-xray-sdk-core');

AWSXRay.captureHTTPsGlobal(http, true);
const downstream = http.createServer((req, res) => {
  const traced = req.headers['x-amzn-trace-id'] !== undefined;
  res.statusCode = req.url === '/fail' ? 503 : req.url === '/gone' ? 404 : 200;
  res.setHeader('content-length', '2');
  res.end(traced ? 'ok' : 'no');
});

function get(port, path) {
  return new Promise((resolve) => {
    const req = http.get({ host: 'localhost', port, path }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    });
    req.on('error', (err) => resolve(`error ${err.code}`));
  });
}

downstream.listen(0, '127.0.0.1', () => {
  const { port } = downstream.address();
  AWSXRay.getNamespace().run(async () => {
    const segment = new AWSXRay.Segment('caller');
    AWSXRay.setSegment(segment);
    console.log('/ok ->', await get(port, '/ok'));
    console.log('/fail ->', await get(port, '/fail'));
    console.log('/gone ->', await get(port, '/gone'));
    downstream.close();
    // A port nobody listens on: the request fails before any response.
    console.log('closed ->', await get(1, '/'));
    segment.close();
  });
});
