// `xray-otel-bridge/aws-xray-sdk-express` (ESM).
import { expressMW } from './express.js';

export default expressMW;
export { openSegment, closeSegment } from './express.js';
