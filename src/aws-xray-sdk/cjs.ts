// `xray-otel-bridge/aws-xray-sdk` (CommonJS): `module.exports = AWSXRay` with `express`, `captureMySQL`, `capturePostgres`.
import { AWSXRaySdk } from './umbrella.js';

export default AWSXRaySdk;
