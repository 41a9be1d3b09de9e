import { readFileSync } from 'node:fs';
import { runtime } from '../runtime.js';

/**
 * Which request and response fields of an AWS call go into the subsegment's `aws` block (the
 * SDK's "whitelist"): parameters are copied under their snake_case name; descriptors can rename,
 * take an object's keys or a list's length.
 */
export interface Descriptor {
  rename_to?: string;
  get_keys?: boolean;
  list?: boolean;
  get_count?: boolean;
}

export interface OperationRule {
  request_parameters?: string[];
  request_descriptors?: Record<string, Descriptor>;
  response_parameters?: string[];
  response_descriptors?: Record<string, Descriptor>;
}

export interface ParamsDocument {
  services: Record<string, { operations: Record<string, OperationRule> }>;
}

const TABLE = ['TableName'];
const CONSUMED = ['ConsumedCapacity'];
const WRITTEN = ['ConsumedCapacity', 'ItemCollectionMetrics'];
const TABLE_KEYS: Record<string, Descriptor> = { RequestItems: { get_keys: true, rename_to: 'table_names' } };
const QUEUE = ['QueueUrl'];
const count = (rename_to: string): Descriptor => ({ list: true, get_count: true, rename_to });

/** The default rules: the services and operations the X-Ray SDKs describe. */
function defaults(): ParamsDocument['services'] {
  const s3: Record<string, OperationRule> = {};
  const bucket = { Bucket: { rename_to: 'bucket_name' } };
  // S3 calls name their bucket and, for objects, the key (and version).
  for (const op of S3_BUCKET_OPERATIONS) s3[op] = { request_descriptors: bucket };
  for (const op of S3_OBJECT_OPERATIONS) s3[op] = { request_parameters: ['Key', 'VersionId'], request_descriptors: bucket };
  for (const op of ['listMultipartUploads', 'listObjectVersions', 'listObjects', 'listObjectsV2']) {
    s3[op] = { request_parameters: ['Prefix'], request_descriptors: bucket };
  }
  for (const op of ['copyObject', 'uploadPartCopy']) s3[op] = { request_parameters: ['CopySource', 'Key'], request_descriptors: bucket };
  return {
    dynamodb: {
      operations: {
        batchGetItem: { request_descriptors: TABLE_KEYS, response_parameters: CONSUMED },
        batchWriteItem: { request_descriptors: TABLE_KEYS, response_parameters: WRITTEN },
        createTable: { request_parameters: ['GlobalSecondaryIndexes', 'LocalSecondaryIndexes', 'ProvisionedThroughput', 'TableName'] },
        deleteItem: { request_parameters: TABLE, response_parameters: WRITTEN },
        deleteTable: { request_parameters: TABLE },
        describeTable: { request_parameters: TABLE },
        getItem: { request_parameters: ['ConsistentRead', 'ProjectionExpression', 'TableName'], response_parameters: CONSUMED },
        listTables: { request_parameters: ['ExclusiveStartTableName', 'Limit'], response_descriptors: { TableNames: count('table_count') } },
        putItem: { request_parameters: TABLE, response_parameters: WRITTEN },
        query: {
          request_parameters: ['AttributesToGet', 'ConsistentRead', 'IndexName', 'Limit', 'ProjectionExpression', 'ScanIndexForward', 'Select', 'TableName'],
          response_parameters: CONSUMED,
        },
        scan: {
          request_parameters: ['AttributesToGet', 'ConsistentRead', 'IndexName', 'Limit', 'ProjectionExpression', 'Segment', 'Select', 'TableName', 'TotalSegments'],
          response_parameters: ['ConsumedCapacity', 'Count', 'ScannedCount'],
        },
        updateItem: { request_parameters: TABLE, response_parameters: WRITTEN },
        updateTable: { request_parameters: ['AttributeDefinitions', 'GlobalSecondaryIndexUpdates', 'ProvisionedThroughput', 'TableName'] },
      },
    },
    sqs: {
      operations: {
        addPermission: { request_parameters: ['Label', 'QueueUrl'] },
        changeMessageVisibility: { request_parameters: ['QueueUrl', 'VisibilityTimeout'] },
        changeMessageVisibilityBatch: { request_parameters: QUEUE, response_parameters: ['Failed'] },
        createQueue: { request_parameters: ['Attributes', 'QueueName'] },
        deleteMessage: { request_parameters: QUEUE },
        deleteMessageBatch: { request_parameters: QUEUE, response_parameters: ['Failed'] },
        deleteQueue: { request_parameters: QUEUE },
        getQueueAttributes: { request_parameters: QUEUE, response_parameters: ['Attributes'] },
        getQueueUrl: { request_parameters: ['QueueName', 'QueueOwnerAWSAccountId'], response_parameters: ['QueueUrl'] },
        listDeadLetterSourceQueues: { request_parameters: QUEUE, response_parameters: ['QueueUrls'] },
        listQueues: { request_parameters: ['QueueNamePrefix'], response_descriptors: { QueueUrls: count('queue_count') } },
        purgeQueue: { request_parameters: QUEUE },
        receiveMessage: {
          request_parameters: ['AttributeNames', 'MaxNumberOfMessages', 'MessageAttributeNames', 'QueueUrl', 'VisibilityTimeout', 'WaitTimeSeconds'],
          response_descriptors: { Messages: count('message_count') },
        },
        removePermission: { request_parameters: QUEUE },
        sendMessage: {
          request_parameters: ['DelaySeconds', 'QueueUrl'],
          request_descriptors: { MessageAttributes: { get_keys: true, rename_to: 'message_attribute_names' } },
          response_parameters: ['MessageId'],
        },
        sendMessageBatch: {
          request_parameters: QUEUE,
          request_descriptors: { Entries: count('message_count') },
          response_descriptors: { Failed: count('failed_count'), Successful: count('successful_count') },
        },
        setQueueAttributes: { request_parameters: QUEUE, request_descriptors: { Attributes: { get_keys: true, rename_to: 'attribute_names' } } },
      },
    },
    sns: { operations: { publish: { request_parameters: ['TopicArn'] }, publishBatch: { request_parameters: ['TopicArn'] } } },
    lambda: {
      operations: {
        invoke: { request_parameters: ['FunctionName', 'InvocationType', 'LogType', 'Qualifier'], response_parameters: ['FunctionError', 'StatusCode'] },
        invokeAsync: { request_parameters: ['FunctionName'], response_parameters: ['Status'] },
      },
    },
    s3: { operations: s3 },
    sagemakerruntime: { operations: { invokeEndpoint: { request_parameters: ['EndpointName'] } } },
  };
}

const S3_BUCKET_OPERATIONS = [
  'createBucket', 'deleteBucket', 'deleteObjects', 'headBucket', 'getBucketLocation', 'getBucketAcl', 'putBucketAcl', 'getBucketPolicy', 'putBucketPolicy',
  'deleteBucketPolicy', 'getBucketCors', 'putBucketCors', 'deleteBucketCors', 'getBucketTagging', 'putBucketTagging', 'deleteBucketTagging',
  'getBucketVersioning', 'putBucketVersioning', 'getBucketWebsite', 'putBucketWebsite', 'deleteBucketWebsite', 'getBucketLogging', 'putBucketLogging',
  'getBucketLifecycle', 'putBucketLifecycle', 'getBucketLifecycleConfiguration', 'putBucketLifecycleConfiguration', 'deleteBucketLifecycle',
  'getBucketEncryption', 'putBucketEncryption', 'deleteBucketEncryption', 'getBucketReplication', 'putBucketReplication', 'deleteBucketReplication',
  'getBucketNotification', 'putBucketNotification', 'getBucketNotificationConfiguration', 'putBucketNotificationConfiguration',
  'getBucketRequestPayment', 'putBucketRequestPayment', 'getBucketAccelerateConfiguration', 'putBucketAccelerateConfiguration',
  'getBucketAnalyticsConfiguration', 'putBucketAnalyticsConfiguration', 'deleteBucketAnalyticsConfiguration', 'listBucketAnalyticsConfigurations',
  'getBucketInventoryConfiguration', 'putBucketInventoryConfiguration', 'deleteBucketInventoryConfiguration', 'listBucketInventoryConfigurations',
  'getBucketMetricsConfiguration', 'putBucketMetricsConfiguration', 'deleteBucketMetricsConfiguration', 'listBucketMetricsConfigurations',
];
const S3_OBJECT_OPERATIONS = [
  'getObject', 'headObject', 'putObject', 'deleteObject', 'getObjectAcl', 'putObjectAcl', 'getObjectTagging', 'putObjectTagging', 'deleteObjectTagging',
  'restoreObject', 'getObjectTorrent', 'abortMultipartUpload', 'completeMultipartUpload', 'createMultipartUpload', 'listParts', 'uploadPart',
];

/** The rules in force; `setAWSWhitelist` replaces them, `appendAWSWhitelist` adds services. */
export class AwsParams {
  private services = defaults();

  set(source: string | ParamsDocument): void {
    this.services = load(source);
  }

  append(source: string | ParamsDocument): void {
    Object.assign(this.services, load(source));
  }

  /** The `aws` fields `operation` (lowerCamel, as in the rules) of `service` yields. */
  capture(service: string, operation: string, params: Record<string, unknown> | undefined, data: Record<string, unknown> | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const rule = this.services[service]?.operations[operation];
    if (rule === undefined) return out;
    if (params) {
      copyParams(rule.request_parameters, params, out);
      copyDescriptors(rule.request_descriptors, params, out);
    }
    if (data) {
      copyParams(rule.response_parameters, data, out);
      copyDescriptors(rule.response_descriptors, data, out);
    }
    return out;
  }
}

function load(source: string | ParamsDocument): ParamsDocument['services'] {
  if (!source || source instanceof String || !(typeof source === 'string' || source instanceof Object)) {
    throw new Error('Please specify a path to the local whitelist file, or supply a whitelist source object.');
  }
  const doc = (typeof source === 'string' ? JSON.parse(readFileSync(source, 'utf8')) : source) as ParamsDocument;
  if (doc.services === undefined) throw new Error('Document formatting is incorrect. Expecting "services" param.');
  runtime.logger.info(typeof source === 'string' ? `Using custom AWS whitelist file: ${source}` : 'Using custom AWS whitelist source.');
  return doc.services;
}

function copyParams(names: string[] | undefined, from: Record<string, unknown>, out: Record<string, unknown>): void {
  if (!names) return;
  for (const name of names) if (from[name] !== undefined) out[snakeCase(name)] = from[name];
}

function copyDescriptors(descriptors: Record<string, Descriptor> | undefined, from: Record<string, unknown>, out: Record<string, unknown>): void {
  if (!descriptors) return;
  for (const name of Object.keys(descriptors)) {
    const d = descriptors[name]!;
    const value = from[name];
    if (value === undefined) continue;
    let captured: unknown = value;
    if (d.list && d.get_count) captured = Array.isArray(value) ? value.length : 0;
    else if (d.get_keys === true && value !== null && typeof value === 'object') captured = Object.keys(value);
    out[typeof d.rename_to === 'string' ? d.rename_to : snakeCase(name)] = captured;
  }
}

const UPPER = /(?=[A-Z])/;

function snakeCase(name: string): string {
  return name === 'IPAddress' ? 'ip_address' : name.split(UPPER).join('_').toLowerCase();
}
