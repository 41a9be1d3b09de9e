// Express requests that arrive without a sampling decision: X-Ray's default rule (1 per second,
// then 5%) decides, or the rules given to setSamplingRules (SAMPLING_RULES=all: every request).
const http = require('http');
const express = require('express');
const AWSXRay = require('aws-xray-sdk-core');
const xrayExpress = require('aws-xray-sdk-express');

if (process.env.SAMPLING_RULES === 'all') {
  // Else the SDK's own rules are only the fallback for the console's (centralized) ones.
  AWSXRay.middleware.disableCentralizedSampling();
  AWSXRay.middleware.setSamplingRules({ version: 2, rules: [], default: { fixed_target: 0, rate: 1 } });
}

const app = express();
app.use(xrayExpress.openSegment('catalog'));
app.get('/item', (req, res) => res.send('ok'));
app.use(xrayExpress.closeSegment());

const server = app.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  let ok = 0;
  for (let i = 0; i < 20; i++) {
    ok += await new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/item' }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200 ? 1 : 0));
        })
        .on('error', reject);
    });
  }
  console.log('answered', ok);
  server.close();
});
