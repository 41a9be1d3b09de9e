import type { AttributeValue, Attributes } from '@opentelemetry/api';
import {
  ATTR_CONTAINER_ID,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_K8S_CLUSTER_NAME,
  ATTR_K8S_POD_NAME,
  ATTR_RPC_METHOD,
  ATTR_SERVICE_INSTANCE_ID,
  ATTR_SERVICE_NAMESPACE,
  ATTR_SERVICE_VERSION,
  ATTR_TELEMETRY_DISTRO_VERSION,
  ATTR_TELEMETRY_SDK_LANGUAGE,
  ATTR_TELEMETRY_SDK_NAME,
  ATTR_TELEMETRY_SDK_VERSION,
  SEMATTRS_MESSAGING_URL,
  SEMRESATTRS_TELEMETRY_AUTO_VERSION,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_AWS_DYNAMODB_TABLE_COUNT,
  ATTR_AWS_ECS_CLUSTER_ARN,
  ATTR_AWS_ECS_CONTAINER_ARN,
  ATTR_AWS_ECS_LAUNCHTYPE,
  ATTR_AWS_ECS_TASK_ARN,
  ATTR_AWS_ECS_TASK_FAMILY,
  ATTR_AWS_EXTENDED_REQUEST_ID,
  ATTR_AWS_LOG_GROUP_ARNS,
  ATTR_AWS_LOG_GROUP_NAMES,
  ATTR_AWS_S3_BUCKET,
  ATTR_AWS_S3_KEY,
  ATTR_AWS_SNS_TOPIC_ARN,
  ATTR_AWS_SQS_QUEUE_URL,
  ATTR_CLOUD_ACCOUNT_ID,
  ATTR_CLOUD_AVAILABILITY_ZONE,
  ATTR_CLOUD_PLATFORM,
  ATTR_CLOUD_PROVIDER,
  ATTR_CLOUD_REGION,
  ATTR_CONTAINER_NAME,
  ATTR_FAAS_INVOKED_NAME,
  ATTR_HOST_ID,
  ATTR_HOST_IMAGE_ID,
  ATTR_HOST_TYPE,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_SYSTEM,
  AWS_ECS_LAUNCHTYPE_VALUE_EC2,
  AWS_ECS_LAUNCHTYPE_VALUE_FARGATE,
  CLOUD_PLATFORM_VALUE_AWS_APP_RUNNER,
  CLOUD_PLATFORM_VALUE_AWS_EC2,
  CLOUD_PLATFORM_VALUE_AWS_ECS,
  CLOUD_PLATFORM_VALUE_AWS_EKS,
  CLOUD_PLATFORM_VALUE_AWS_ELASTIC_BEANSTALK,
  CLOUD_PLATFORM_VALUE_AWS_LAMBDA,
  CLOUD_PROVIDER_VALUE_AWS,
  MESSAGING_SYSTEM_VALUE_AWS_SQS,
} from '@opentelemetry/semantic-conventions/incubating';
import {
  ATTR_AWS_ACCOUNT_ID,
  ATTR_AWS_DYNAMODB_TABLE_NAMES,
  ATTR_AWS_OPERATION,
  ATTR_AWS_QUEUE_URL,
  ATTR_AWS_REGION,
  ATTR_AWS_REQUEST_ID,
  ATTR_AWS_TABLE_NAME,
  ATTR_XRAY_AWS_FIELDS,
  ATTR_XRAY_AWS_RETRIES,
} from '../../common/attributes.js';
import type { AwsBlock } from '../document.js';
import { hasAnyKey, isAwsApi, peekString, takeJsonObject, takeString, type TranslateContext } from './context.js';
import { takeStringAlias } from './read.js';
import { isEmptyObject } from '../../common/values.js';

// Spellings other instrumentations use that the Collector's awsxrayexporter also reads.
const ATTR_AWS_REQUEST_ID_CAMEL = 'aws.requestId';
// What `@opentelemetry/instrumentation-aws-sdk` writes (its own names, not the conventions').
const ATTR_AWS_REQUEST_ID_DOTTED = 'aws.request.id';
const ATTR_AWS_EXTENDED_REQUEST_ID_DOTTED = 'aws.request.extended_id';
const ATTR_AWS_QUEUE_URL_DOTTED = 'aws.queue.url';
const ATTR_AWS_TABLE_NAME_DOTTED = 'aws.table.name';

const REQUEST_ID_KEYS = [ATTR_AWS_REQUEST_ID, ATTR_AWS_REQUEST_ID_DOTTED, ATTR_AWS_REQUEST_ID_CAMEL];
const EXTENDED_REQUEST_ID_KEYS = [ATTR_AWS_EXTENDED_REQUEST_ID, ATTR_AWS_EXTENDED_REQUEST_ID_DOTTED];
// Semantic-convention keys win over the Collector's own, as the Collector does.
const QUEUE_URL_KEYS = [SEMATTRS_MESSAGING_URL, ATTR_AWS_SQS_QUEUE_URL, ATTR_AWS_QUEUE_URL, ATTR_AWS_QUEUE_URL_DOTTED];
const TABLE_NAME_KEYS = [ATTR_AWS_TABLE_NAME, ATTR_AWS_TABLE_NAME_DOTTED];
/** Every span attribute `addSpanFields` reads: a span with none of them has no span fields. */
const SPAN_FIELD_KEYS: ReadonlySet<string> = new Set([
  ATTR_AWS_OPERATION,
  ATTR_RPC_METHOD,
  ATTR_AWS_REGION,
  ATTR_CLOUD_REGION,
  ...REQUEST_ID_KEYS,
  ...QUEUE_URL_KEYS,
  ATTR_AWS_DYNAMODB_TABLE_NAMES,
  ...TABLE_NAME_KEYS,
  ATTR_AWS_ACCOUNT_ID,
  // addCallFields (AWS SDK calls); an SQS call's `url.full` counts only with `messaging.system`.
  ATTR_XRAY_AWS_RETRIES,
  ...EXTENDED_REQUEST_ID_KEYS,
  ATTR_MESSAGING_SYSTEM,
  ATTR_AWS_S3_BUCKET,
  ATTR_AWS_S3_KEY,
  ATTR_AWS_SNS_TOPIC_ARN,
  ATTR_FAAS_INVOKED_NAME,
  ATTR_AWS_DYNAMODB_TABLE_COUNT,
]);

const ORIGIN_BY_PLATFORM: ReadonlyMap<string, string> = new Map([
  [CLOUD_PLATFORM_VALUE_AWS_EC2, 'AWS::EC2::Instance'],
  [CLOUD_PLATFORM_VALUE_AWS_ECS, 'AWS::ECS::Container'],
  [CLOUD_PLATFORM_VALUE_AWS_EKS, 'AWS::EKS::Container'],
  [CLOUD_PLATFORM_VALUE_AWS_ELASTIC_BEANSTALK, 'AWS::ElasticBeanstalk::Environment'],
  [CLOUD_PLATFORM_VALUE_AWS_LAMBDA, 'AWS::Lambda::Function'],
  [CLOUD_PLATFORM_VALUE_AWS_APP_RUNNER, 'AWS::AppRunner::Service'],
]);
const ORIGIN_BY_ECS_LAUNCH_TYPE: ReadonlyMap<string, string> = new Map([
  [AWS_ECS_LAUNCHTYPE_VALUE_EC2, 'AWS::ECS::EC2'],
  [AWS_ECS_LAUNCHTYPE_VALUE_FARGATE, 'AWS::ECS::Fargate'],
]);

const DECIMAL = /^-?\d+$/;

export interface AwsFields {
  aws?: AwsBlock;
  origin?: string;
  service?: { version: string };
}

/**
 * The `aws` block, `origin` and `service`.
 *
 * Span attributes (operation, region, request id, queue, tables, `aws.account_id`) go on every
 * document. What describes the process itself (resource attributes: `xray`, `ec2`, `ecs`, `eks`,
 * `elastic_beanstalk`, `cloudwatch_logs`, the account from `cloud.account.id`, `origin`, `service`)
 * goes on segments only, as the X-Ray SDKs do; the Collector repeats it on every subsegment, which
 * only costs datagram bytes. Nothing AWS-specific is emitted for a non-AWS `cloud.provider`.
 */
export function awsFields(ctx: TranslateContext): Readonly<AwsFields> {
  const res = resourceAws(ctx.resource);
  const spanFields = !res.foreignCloud && hasAnyKey(ctx, SPAN_FIELD_KEYS);
  // Most subsegments get nothing here: no object for them.
  if (!ctx.isSegment && !spanFields) return NO_FIELDS;
  const out: AwsFields = {};
  if (ctx.isSegment && res.service !== undefined) out.service = { ...res.service };
  if (res.foreignCloud) return out;

  const aws: AwsBlock = {};
  if (spanFields) addSpanFields(ctx, aws);
  if (ctx.isSegment) {
    if (aws.account_id === undefined && res.accountId !== undefined) aws.account_id = res.accountId;
    Object.assign(aws, res.fields);
    if (res.origin !== undefined) out.origin = res.origin;
  }
  if (!isEmptyObject(aws)) out.aws = aws;
  return out;
}

const NO_FIELDS: Readonly<AwsFields> = Object.freeze({});

/** What a resource contributes to segments; the same for every span of a provider. */
interface ResourceAws {
  foreignCloud: boolean;
  service?: { version: string };
  accountId?: string;
  /** `xray`, `ec2`, `ecs`, `eks`, `elastic_beanstalk`, `cloudwatch_logs`: shared by every document, never mutated. */
  fields: AwsBlock;
  origin?: string;
}

// Keyed by the resource's memoized attributes object, so it is computed once per provider, not per span.
const resourceCache = new WeakMap<Attributes, ResourceAws>();

function resourceAws(res: Attributes): ResourceAws {
  let cached = resourceCache.get(res);
  if (cached !== undefined) return cached;
  const provider = peekString(res, ATTR_CLOUD_PROVIDER);
  const version = peekString(res, ATTR_SERVICE_VERSION);
  cached = { foreignCloud: provider !== undefined && provider.toLowerCase() !== CLOUD_PROVIDER_VALUE_AWS, fields: {} };
  if (version !== undefined) cached.service = { version };
  if (!cached.foreignCloud) {
    const account = peekString(res, ATTR_CLOUD_ACCOUNT_ID);
    if (account !== undefined) cached.accountId = account;
    addResourceFields(res, cached.fields);
    const origin = originOf(res);
    if (origin !== undefined) cached.origin = origin;
  }
  resourceCache.set(res, cached);
  return cached;
}

function addSpanFields(ctx: TranslateContext, aws: AwsBlock): void {
  const awsApi = isAwsApi(ctx.attributes);
  const operation = takeString(ctx, ATTR_AWS_OPERATION) ?? (awsApi ? takeString(ctx, ATTR_RPC_METHOD) : undefined);
  if (operation !== undefined) aws.operation = operation;

  // The JS aws-sdk instrumentation records the client's region as the span attribute `cloud.region`.
  const region = takeString(ctx, ATTR_AWS_REGION) ?? (awsApi ? takeString(ctx, ATTR_CLOUD_REGION) : undefined);
  if (region !== undefined) aws.region = region;
  const requestId = takeStringAlias(ctx, REQUEST_ID_KEYS);
  if (requestId !== undefined) aws.request_id = requestId;
  const queueUrl = takeStringAlias(ctx, QUEUE_URL_KEYS);
  if (queueUrl !== undefined) aws.queue_url = queueUrl;

  const tables = stringList(ctx.attributes[ATTR_AWS_DYNAMODB_TABLE_NAMES]);
  if (tables.length > 0) {
    ctx.consumed.add(ATTR_AWS_DYNAMODB_TABLE_NAMES);
    if (tables.length === 1) aws.table_name = tables[0];
    else aws.table_names = tables;
  } else {
    const table = takeStringAlias(ctx, TABLE_NAME_KEYS);
    if (table !== undefined) aws.table_name = table;
  }

  const account = takeString(ctx, ATTR_AWS_ACCOUNT_ID);
  if (account !== undefined) aws.account_id = account;
  if (awsApi) addCallFields(ctx, aws);

  const raw = takeJsonObject(ctx, ATTR_XRAY_AWS_FIELDS);
  if (raw !== undefined) {
    const block = aws as Record<string, unknown>;
    for (const key of Object.keys(raw)) if (!Object.hasOwn(block, key) && key !== '__proto__') block[key] = raw[key];
  }
}

/**
 * What the X-Ray SDKs record about one AWS SDK call beyond the Collector's fields: `retries`,
 * `id_2` (S3's extended request id) and the resource the call names (`bucket_name`, `key`,
 * `topic_arn`, `function_name`, …), from the keys `@opentelemetry/instrumentation-aws-sdk` and
 * the semantic conventions use. Attributes that repeat a field (a DynamoDB span's
 * `db.namespace` is its table) are consumed so they are not repeated in metadata.
 */
function addCallFields(ctx: TranslateContext, aws: AwsBlock): void {
  const attrs = ctx.attributes;
  const retries = toCount(attrs[ATTR_XRAY_AWS_RETRIES]);
  if (retries !== undefined) {
    ctx.consumed.add(ATTR_XRAY_AWS_RETRIES);
    aws.retries = retries;
  }
  const id2 = takeStringAlias(ctx, EXTENDED_REQUEST_ID_KEYS);
  if (id2 !== undefined) aws.id_2 = id2;

  // SQS spans carry the queue as `url.full`; the http block leaves it alone for AWS calls.
  if (aws.queue_url === undefined && attrs[ATTR_MESSAGING_SYSTEM] === MESSAGING_SYSTEM_VALUE_AWS_SQS) {
    const url = takeString(ctx, ATTR_URL_FULL);
    if (url !== undefined) aws.queue_url = url;
  }
  if (aws.queue_url !== undefined) {
    const messageId = takeString(ctx, ATTR_MESSAGING_MESSAGE_ID);
    if (messageId !== undefined) aws.message_id = messageId;
  }
  for (const [key, field] of CALL_FIELDS) {
    const v = takeString(ctx, key);
    if (v !== undefined) aws[field] = v;
  }
  const tableCount = toCount(attrs[ATTR_AWS_DYNAMODB_TABLE_COUNT]);
  if (tableCount !== undefined) {
    ctx.consumed.add(ATTR_AWS_DYNAMODB_TABLE_COUNT);
    aws.table_count = tableCount;
  }
  if (aws.table_name !== undefined && attrs[ATTR_DB_NAMESPACE] === aws.table_name) ctx.consumed.add(ATTR_DB_NAMESPACE);
  if (aws.operation !== undefined && attrs[ATTR_DB_OPERATION_NAME] === aws.operation) ctx.consumed.add(ATTR_DB_OPERATION_NAME);
}

/** Span attribute → X-Ray `aws` field, for the resources X-Ray's console shows per call. */
const CALL_FIELDS: ReadonlyArray<readonly [string, string]> = [
  [ATTR_AWS_S3_BUCKET, 'bucket_name'],
  [ATTR_AWS_S3_KEY, 'key'],
  [ATTR_AWS_SNS_TOPIC_ARN, 'topic_arn'],
  [ATTR_FAAS_INVOKED_NAME, 'function_name'],
];

/** A non-negative integer, or undefined. */
function toCount(v: AttributeValue | undefined): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

function addResourceFields(res: Attributes, aws: AwsBlock): void {
  const xray = xrayOf(res);
  if (xray !== undefined) aws.xray = xray;

  const platform = peekString(res, ATTR_CLOUD_PLATFORM);
  const zone = peekString(res, ATTR_CLOUD_AVAILABILITY_ZONE);
  const containerId = peekString(res, ATTR_CONTAINER_ID);

  // EC2 also underlies ECS-on-EC2 and EKS nodes, so a host id is enough, as in the Collector.
  const hostId = peekString(res, ATTR_HOST_ID);
  if (platform === CLOUD_PLATFORM_VALUE_AWS_EC2 || hostId !== undefined) {
    const ec2 = compact({
      instance_id: hostId,
      availability_zone: zone,
      instance_size: peekString(res, ATTR_HOST_TYPE),
      ami_id: peekString(res, ATTR_HOST_IMAGE_ID),
    });
    if (ec2 !== undefined) aws.ec2 = ec2;
  }

  if (platform === CLOUD_PLATFORM_VALUE_AWS_ECS) {
    const ecs = compact({
      container: peekString(res, ATTR_CONTAINER_NAME),
      container_id: containerId,
      availability_zone: zone,
      container_arn: peekString(res, ATTR_AWS_ECS_CONTAINER_ARN),
      cluster_arn: peekString(res, ATTR_AWS_ECS_CLUSTER_ARN),
      task_arn: peekString(res, ATTR_AWS_ECS_TASK_ARN),
      task_family: peekString(res, ATTR_AWS_ECS_TASK_FAMILY),
      launch_type: peekString(res, ATTR_AWS_ECS_LAUNCHTYPE),
    });
    if (ecs !== undefined) aws.ecs = ecs;
  }

  // Beanstalk's X-Ray integration writes the deployment id as `service.instance.id`.
  const deployment = peekString(res, ATTR_SERVICE_INSTANCE_ID);
  if (platform === CLOUD_PLATFORM_VALUE_AWS_ELASTIC_BEANSTALK && deployment !== undefined) {
    const id = DECIMAL.test(deployment) ? Number(deployment) : 0;
    aws.elastic_beanstalk = {
      ...compact({ environment_name: peekString(res, ATTR_SERVICE_NAMESPACE), version_label: peekString(res, ATTR_SERVICE_VERSION) }),
      deployment_id: Number.isSafeInteger(id) ? id : 0,
    };
  }

  // Plain Kubernetes on AWS (no `cloud.platform`) still gets the cluster, as in the Collector.
  const cluster = peekString(res, ATTR_K8S_CLUSTER_NAME);
  if (platform === CLOUD_PLATFORM_VALUE_AWS_EKS || cluster !== undefined) {
    const eks = compact({ cluster_name: cluster, pod: peekString(res, ATTR_K8S_POD_NAME), container_id: containerId });
    if (eks !== undefined) aws.eks = eks;
  }

  const logs = logGroupsOf(res);
  if (logs !== undefined) aws.cloudwatch_logs = logs;
}

/**
 * `{sdk, sdk_version, auto_instrumentation}`. X-Ray names SDKs "X-Ray SDK for Java"; the Collector
 * fills in "<name> for <language>" the same way (not doubled when the name already says it).
 */
function xrayOf(res: Attributes): AwsBlock['xray'] {
  const name = peekString(res, ATTR_TELEMETRY_SDK_NAME);
  const language = peekString(res, ATTR_TELEMETRY_SDK_LANGUAGE);
  const version = peekString(res, ATTR_TELEMETRY_SDK_VERSION);
  const auto = peekString(res, SEMRESATTRS_TELEMETRY_AUTO_VERSION, ATTR_TELEMETRY_DISTRO_VERSION) !== undefined;

  let sdk = name;
  if (name !== undefined && language !== undefined && !name.toLowerCase().endsWith(` for ${language.toLowerCase()}`)) {
    sdk = `${name} for ${language}`;
  }
  if (sdk === undefined && version === undefined && !auto) return undefined;
  return { ...compact({ sdk, sdk_version: version }), auto_instrumentation: auto };
}

function originOf(res: Attributes): string | undefined {
  const platform = peekString(res, ATTR_CLOUD_PLATFORM);
  if (platform === undefined) return undefined;
  if (platform === CLOUD_PLATFORM_VALUE_AWS_ECS) {
    const launchType = peekString(res, ATTR_AWS_ECS_LAUNCHTYPE)?.toLowerCase();
    const byLaunchType = launchType === undefined ? undefined : ORIGIN_BY_ECS_LAUNCH_TYPE.get(launchType);
    if (byLaunchType !== undefined) return byLaunchType;
  }
  return ORIGIN_BY_PLATFORM.get(platform);
}

/**
 * `cloudwatch_logs` from `aws.log.group.arns` (the name is the ARN's 7th field) or else
 * `aws.log.group.names`. A string value is an `&`-separated list: OTEL_RESOURCE_ATTRIBUTES
 * cannot carry arrays.
 */
function logGroupsOf(res: Attributes): Array<{ log_group: string; arn?: string }> | undefined {
  const arns = logGroupList(res[ATTR_AWS_LOG_GROUP_ARNS]);
  if (arns.length > 0) return arns.map((arn) => ({ log_group: arn.split(':')[6] ?? arn, arn }));
  const names = logGroupList(res[ATTR_AWS_LOG_GROUP_NAMES]);
  return names.length > 0 ? names.map((name) => ({ log_group: name })) : undefined;
}

function logGroupList(v: AttributeValue | undefined): string[] {
  return typeof v === 'string' ? v.split('&').filter((s) => s !== '') : stringList(v);
}

/** The non-empty strings of an array attribute; a lone string counts as a list of one. */
function stringList(v: AttributeValue | undefined): string[] {
  if (typeof v === 'string') return v === '' ? [] : [v];
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const item of v) if (typeof item === 'string' && item !== '') out.push(item);
  return out;
}

/** The object without its undefined fields, or undefined when none is left (X-Ray shows empty objects). */
function compact<T extends Record<string, string | undefined>>(fields: T): { [K in keyof T]?: string } | undefined {
  const out: { [K in keyof T]?: string } = {};
  let any = false;
  for (const key of Object.keys(fields) as Array<keyof T>) {
    const v = fields[key];
    if (v !== undefined) {
      out[key] = v;
      any = true;
    }
  }
  return any ? out : undefined;
}
