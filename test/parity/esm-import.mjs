// An ESM service importing the SDK's names, run with `node --import xray-otel-bridge/alias`.
import AWSXRay, { captureAsyncFunc, getNamespace, setSegment } from 'aws-xray-sdk-core';
import xrayExpress from 'aws-xray-sdk-express';

console.log('express middleware:', typeof xrayExpress.openSegment, typeof xrayExpress.closeSegment);
getNamespace().run(() => {
  const segment = new AWSXRay.Segment('esm-service');
  setSegment(segment);
  captureAsyncFunc('work', async (sub) => {
    await new Promise((r) => setTimeout(r, 1));
    sub.addAnnotation('esm', true);
    sub.close();
    segment.close();
    console.log('done');
  });
});
