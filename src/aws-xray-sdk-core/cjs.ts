// `xray-otel-bridge/aws-xray-sdk-core` (CommonJS): `module.exports = AWSXRay`, as the SDK's
// `require('aws-xray-sdk-core')` returns (the build maps this default export to module.exports).
import { AWSXRay } from './aws-xray.js';

export default AWSXRay;
