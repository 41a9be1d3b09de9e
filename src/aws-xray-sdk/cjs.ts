// `xray-otel-bridge/aws-xray-sdk` (CommonJS): `module.exports = AWSXRay` with `express`.
import { AWSXRaySdk } from './umbrella.js';

export default AWSXRaySdk;
