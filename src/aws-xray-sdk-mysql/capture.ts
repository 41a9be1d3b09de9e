import { AWSXRay } from '../aws-xray-sdk-core/aws-xray.js';
import { createMySqlPatcher } from '../aws-xray-sdk-core/patchers/mysql.js';

/** `aws-xray-sdk-mysql`: `captureMySQL(mysql)`, on the process's one `AWSXRay`. */
export const captureMySQL: <M extends object>(mysql: M) => M = createMySqlPatcher(AWSXRay.contextUtils, AWSXRay.Entity) as <M extends object>(mysql: M) => M;
