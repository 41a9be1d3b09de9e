/**
 * The attribute vocabulary: every span attribute the recorder writes and the exporter reads is
 * named here (or is a semantic-conventions constant both import), so renaming one fails to compile
 * on both sides instead of silently dropping a field. The names follow the Collector's
 * `awsxrayexporter` where it has one.
 */
import { ATTR_AWS_DYNAMODB_TABLE_NAMES, ATTR_AWS_REQUEST_ID, ATTR_ENDUSER_ID } from '@opentelemetry/semantic-conventions/incubating';

export { ATTR_AWS_DYNAMODB_TABLE_NAMES, ATTR_AWS_REQUEST_ID, ATTR_ENDUSER_ID };

/** The `aws` block's keys that no semantic convention defines (the Collector reads them). */
export const ATTR_AWS_OPERATION = 'aws.operation';
export const ATTR_AWS_REGION = 'aws.region';
export const ATTR_AWS_ACCOUNT_ID = 'aws.account_id';
export const ATTR_AWS_QUEUE_URL = 'aws.queue_url';
export const ATTR_AWS_TABLE_NAME = 'aws.table_name';
/** Prefix of the `aws.*` attributes that `setAws` writes for fields without a key of their own. */
export const AWS_ATTRIBUTE_PREFIX = 'aws.';
/** Prefix of the `db.*` attributes that `setSql` writes for fields without a key of their own. */
export const DB_ATTRIBUTE_PREFIX = 'db.';
/** Attribute keys under this prefix are the recorder's own bookkeeping: not for users. */
export const ATTR_XRAY_PREFIX = 'aws.xray.';

/** String array: the keys of this span's attributes that are X-Ray annotations. */
export const ATTR_XRAY_ANNOTATIONS = 'aws.xray.annotations';
/** Prefix: `aws.xray.metadata.<namespace>` holds that namespace's metadata object as JSON. */
export const ATTR_XRAY_METADATA_PREFIX = 'aws.xray.metadata.';
/** Booleans set by hand through the recorder; they override what status and HTTP imply. */
export const ATTR_XRAY_ERROR = 'aws.xray.error';
export const ATTR_XRAY_FAULT = 'aws.xray.fault';
export const ATTR_XRAY_THROTTLE = 'aws.xray.throttle';
/** The recorder's tracer (instrumentation scope) name: its spans are what the application recorded by hand. */
export const RECORDER_SCOPE = 'xray-otel-bridge';
/** Integer: how many times an AWS SDK call was retried (X-Ray's `aws.retries`); the aws-sdk patch writes it. */
export const ATTR_XRAY_AWS_RETRIES = 'aws.xray.retries';
/** `aws` | `remote`: overrides the namespace derived from the span kind. */
export const ATTR_XRAY_NAMESPACE = 'aws.xray.namespace';
/** Exception event attribute: the exception came from a downstream call (X-Ray's `remote`). */
export const ATTR_XRAY_EXCEPTION_REMOTE = 'aws.xray.exception.remote';
/** SQL fields the semantic conventions have no key for; the recorder's `setSql` writes them. */
export const ATTR_XRAY_SQL_DATABASE_VERSION = 'db.version';
export const ATTR_XRAY_SQL_DRIVER_VERSION = 'db.driver.version';
export const ATTR_XRAY_SQL_PREPARATION = 'db.preparation';
/** `rpc.system` of AWS SDK client spans (no semantic-conventions constant names the value). */
export const RPC_SYSTEM_AWS_API = 'aws-api';
/** The service a span runs in, as AWS's OTel distributions write it; names SERVER segments. */
export const ATTR_AWS_LOCAL_SERVICE = 'aws.local.service';
/**
 * JSON object: fields of the document's `aws` (or `sql`) block that no attribute convention
 * expresses (the X-Ray SDKs' `retries`, `consistent_read`, `ConsumedCapacity`…; a `sql` block
 * without a database system). Translated fields win over these on a clash.
 */
export const ATTR_XRAY_AWS_FIELDS = 'aws.xray.aws';
export const ATTR_XRAY_SQL_FIELDS = 'aws.xray.sql';
/** Boolean: the downstream call was traced too (X-Ray's `traced`). */
export const ATTR_XRAY_TRACED = 'aws.xray.traced';
/** String array: ids of the subsegments that ran before this one (X-Ray's `precursor_ids`). */
export const ATTR_XRAY_PRECURSOR_IDS = 'aws.xray.precursor_ids';
