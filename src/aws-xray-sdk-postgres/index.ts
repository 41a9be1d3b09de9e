// `xray-otel-bridge/aws-xray-sdk-postgres` (ESM): `capturePostgres` as the default export.
import { capturePostgres } from './capture.js';

export default capturePostgres;
export { capturePostgres };
