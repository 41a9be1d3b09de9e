// Automatic mode: the segment is set in a namespace context; nested captureAsyncFunc find their parent.
const AWSXRay = require('aws-xray-sdk-core');

const ns = AWSXRay.getNamespace();
ns.run(() => {
  const segment = new AWSXRay.Segment('checkout');
  AWSXRay.setSegment(segment);
  AWSXRay.captureAsyncFunc('load-cart', async (outer) => {
    await new Promise((r) => setTimeout(r, 2));
    outer.addAnnotation('cart', 'c-1');
    await AWSXRay.captureAsyncFunc('price', async (inner) => {
      await new Promise((r) => setTimeout(r, 1));
      AWSXRay.getSegment().addMetadata('currency', 'EUR');
      inner.close();
    });
    AWSXRay.captureFunc('tax', () => {
      AWSXRay.getSegment().addAnnotation('rate', 0.2);
    });
    outer.close();
    console.log('current after close is the segment:', AWSXRay.getSegment() === segment);
    segment.close();
    console.log('done');
  });
});
