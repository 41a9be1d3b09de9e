import { AWSXRay } from '../aws-xray-sdk-core/aws-xray.js';
import { expressMW } from '../aws-xray-sdk-express/express.js';
import { captureMySQL } from '../aws-xray-sdk-mysql/capture.js';
import { capturePostgres } from '../aws-xray-sdk-postgres/capture.js';

interface UmbrellaMembers {
  express: typeof expressMW;
  captureMySQL: typeof captureMySQL;
  capturePostgres: typeof capturePostgres;
}

/**
 * `aws-xray-sdk`: the core's `AWSXRay` with `express`, `captureMySQL` and `capturePostgres` added
 * to it, as the umbrella package does.
 */
export const AWSXRaySdk: typeof AWSXRay & UmbrellaMembers = Object.assign(AWSXRay, { express: expressMW, captureMySQL, capturePostgres });
