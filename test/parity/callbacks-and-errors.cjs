// captureCallbackFunc, errors thrown through captureFunc, close(err) and addError(string).
const AWSXRay = require('aws-xray-sdk-core');

const ns = AWSXRay.getNamespace();
ns.run(() => {
  const segment = new AWSXRay.Segment('worker');
  AWSXRay.setSegment(segment);
  try {
    AWSXRay.captureFunc('parse', () => {
      throw new TypeError('bad input');
    });
  } catch (err) {
    console.log('caught:', err.message);
  }
  const failing = segment.addNewSubsegment('remote-call');
  failing.close(new RangeError('out of range'), true);
  const str = segment.addNewSubsegment('string-error');
  str.addError('plain message');
  str.close();
  const onDone = AWSXRay.captureCallbackFunc('on-done', (value) => {
    console.log('callback got', value);
  });
  setTimeout(() => {
    onDone(42);
    segment.close();
  }, 2);
});
