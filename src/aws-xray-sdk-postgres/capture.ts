import { AWSXRay } from '../aws-xray-sdk-core/aws-xray.js';
import { createPostgresPatcher } from '../aws-xray-sdk-core/patchers/postgres.js';

/** `aws-xray-sdk-postgres`: `capturePostgres(pg)`, on the process's one `AWSXRay`. */
export const capturePostgres: <M extends object>(pg: M) => M = createPostgresPatcher(AWSXRay.contextUtils, AWSXRay.Entity) as <M extends object>(pg: M) => M;
