// The context-missing strategies: what is thrown, returned and logged outside any segment.
const AWSXRay = require('aws-xray-sdk-core');

console.log('default LOG_ERROR returns:', AWSXRay.getSegment());
AWSXRay.setContextMissingStrategy('IGNORE_ERROR');
console.log('IGNORE_ERROR returns:', AWSXRay.getSegment());
AWSXRay.setContextMissingStrategy('RUNTIME_ERROR');
try {
  AWSXRay.getSegment();
  console.log('RUNTIME_ERROR did not throw');
} catch (err) {
  console.log('RUNTIME_ERROR threw:', err.constructor.name, err.message);
}
try {
  AWSXRay.captureFunc('orphan', () => 1);
} catch (err) {
  console.log('captureFunc outside a segment threw:', err.message);
}
const seen = [];
AWSXRay.setContextMissingStrategy(function custom(message) {
  seen.push(message);
});
AWSXRay.getSegment();
console.log('custom strategy got:', seen);
try {
  AWSXRay.setContextMissingStrategy('NOPE');
} catch (err) {
  console.log('invalid strategy:', err.message);
}
try {
  AWSXRay.setContextMissingStrategy(42);
} catch (err) {
  console.log('non-string strategy:', err.message);
}
try {
  AWSXRay.captureFunc('', () => 1);
} catch (err) {
  console.log('bad name:', err.message);
}
try {
  new AWSXRay.Segment(5);
} catch (err) {
  console.log('bad segment name:', err.message);
}
AWSXRay.setContextMissingStrategy('LOG_ERROR');
AWSXRay.getNamespace().run(() => {
  const segment = new AWSXRay.Segment('after-missing');
  AWSXRay.setSegment(segment);
  AWSXRay.captureFunc('inside', () => {});
  segment.close();
});
