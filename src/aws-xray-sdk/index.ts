// `xray-otel-bridge/aws-xray-sdk` (ESM): everything `aws-xray-sdk-core` exports, plus `express`.
import { AWSXRaySdk } from './umbrella.js';

export default AWSXRaySdk;
export * from '../aws-xray-sdk-core/index.js';
export const express = AWSXRaySdk.express;
