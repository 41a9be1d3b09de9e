// `xray-otel-bridge/aws-xray-sdk-postgres` (CommonJS): `module.exports = capturePostgres`, as the SDK's package.
import { capturePostgres } from './capture.js';

export default capturePostgres;
