import { AWSXRay } from '../aws-xray-sdk-core/aws-xray.js';
import { expressMW } from '../aws-xray-sdk-express/express.js';

/**
 * `aws-xray-sdk`: the core's `AWSXRay` with `express` added to it, as the umbrella package does.
 * The MySQL and Postgres patchers are not part of the drop-in (OpenTelemetry's instrumentations
 * for those drivers do that job).
 */
export const AWSXRaySdk: typeof AWSXRay & { express: typeof expressMW } = Object.assign(AWSXRay, { express: expressMW });
