// One error thrown up through nested captures and the segment: recorded once, where it happened;
// a second error after it; addAttribute with names that are not X-Ray fields.
const AWSXRay = require('aws-xray-sdk-core');

AWSXRay.getNamespace().run(async () => {
  const segment = new AWSXRay.Segment('checkout');
  AWSXRay.setSegment(segment);
  const declined = new Error('card declined');
  try {
    await AWSXRay.captureAsyncFunc('charge', async (outer) => {
      try {
        await AWSXRay.captureAsyncFunc('call-bank', async (inner) => {
          inner.addAttribute('bank', { name: 'ACME', region: 'eu' });
          inner.addAttribute('attempt', 2);
          inner.close(declined);
          throw declined;
        });
      } catch (err) {
        outer.close(err);
        throw err;
      }
    });
  } catch (err) {
    console.log('caught', err.message);
    segment.addError(err);
  }
  // A different error afterwards is recorded in full again.
  const retry = segment.addNewSubsegment('retry');
  retry.close(new TypeError('no card on file'));
  segment.close();
});
