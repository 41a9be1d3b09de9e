// An Express service: openSegment/closeSegment around routes answering 200, 404, 429 and a thrown 500.
const http = require('http');
const express = require('express');
const AWSXRay = require('aws-xray-sdk-core');
const xrayExpress = require('aws-xray-sdk-express');

const app = express();
app.use(xrayExpress.openSegment('shop'));
app.get('/ok', (req, res) => {
  AWSXRay.captureFunc('render', (sub) => sub.addAnnotation('template', 'home'));
  AWSXRay.getSegment().addAnnotation('route', 'ok');
  res.send('fine');
});
app.get('/limited', (req, res) => res.status(429).send('slow down'));
app.get('/boom', () => {
  throw new Error('kaboom');
});
app.use(xrayExpress.closeSegment());
// Express's default error handler would print the stack; this one answers 500 quietly.
app.use((err, req, res, next) => res.status(500).send('error'));

const CALLS = [
  ['/ok', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'],
  ['/missing', 'Sampled=1'],
  ['/limited', 'Sampled=1'],
  ['/boom', 'Sampled=1'],
];

const server = app.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  for (const [path, header] of CALLS) {
    const status = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, headers: { 'x-amzn-trace-id': header, 'user-agent': 'parity' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end();
    });
    console.log(path, status);
  }
  server.close();
});
