// Manual mode: every call names its parent explicitly.
const AWSXRay = require('aws-xray-sdk-core');

AWSXRay.enableManualMode();
console.log('automatic:', AWSXRay.isAutomaticMode());

const segment = new AWSXRay.Segment('orders-batch');
segment.addAnnotation('batch', 7);
segment.addMetadata('config', { size: 3, mode: 'manual' });

const total = AWSXRay.captureFunc('sum', (sub) => {
  sub.addAnnotation('items', 3);
  return [1, 2, 3].reduce((a, b) => a + b, 0);
}, segment);
console.log('total:', total);

const validate = segment.addNewSubsegment('validate');
validate.addMetadata('rules', ['a', 'b'], 'checks');
const inner = validate.addNewSubsegment('schema');
inner.close();
validate.close();

AWSXRay.captureAsyncFunc('persist', (sub) => {
  setTimeout(() => {
    sub.addAnnotation('rows', 3);
    sub.close();
    segment.close();
    console.log('closed:', segment.isClosed());
  }, 5);
}, segment);
