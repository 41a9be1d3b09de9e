// `xray-otel-bridge/aws-xray-sdk-express` (CommonJS): `module.exports = { openSegment, closeSegment }`.
import { expressMW } from './express.js';

export default expressMW;
