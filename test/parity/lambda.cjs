// A Lambda handler: Lambda owns the function segment; the code records subsegments under it.
const AWSXRay = require('aws-xray-sdk-core');

async function handler(event) {
  const facade = AWSXRay.getSegment();
  facade.addAnnotation('ignored', true);
  await AWSXRay.captureAsyncFunc('fetch-order', async (sub) => {
    sub.addAnnotation('order', event.id);
    await new Promise((r) => setTimeout(r, 2));
    sub.close();
  });
  AWSXRay.captureFunc('render', (sub) => {
    sub.addMetadata('event', event);
  });
  const manual = AWSXRay.getSegment().addNewSubsegment('manual');
  manual.close();
  return { ok: true };
}

handler({ id: 'o-1' }).then((r) => console.log('result:', JSON.stringify(r)));
