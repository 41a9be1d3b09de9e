// `xray-otel-bridge/aws-xray-sdk-mysql` (CommonJS): `module.exports = captureMySQL`, as the SDK's package.
import { captureMySQL } from './capture.js';

export default captureMySQL;
