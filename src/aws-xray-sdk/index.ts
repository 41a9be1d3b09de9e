// `xray-otel-bridge/aws-xray-sdk` (ESM): everything `aws-xray-sdk-core` exports, plus `express`, `captureMySQL`, `capturePostgres`.
import { AWSXRaySdk } from './umbrella.js';

export default AWSXRaySdk;
export * from '../aws-xray-sdk-core/index.js';
export const { express, captureMySQL, capturePostgres } = AWSXRaySdk;
