// `xray-otel-bridge/aws-xray-sdk-mysql` (ESM): `captureMySQL` as the default export.
import { captureMySQL } from './capture.js';

export default captureMySQL;
export { captureMySQL };
