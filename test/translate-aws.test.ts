import { SpanKind, type Attributes } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveTranslateOptions } from '../src/exporter/options.js';
import { awsFields, type AwsFields } from '../src/exporter/translate/aws.js';
import { createContext, type TranslateContext } from '../src/exporter/translate/context.js';
import { expectValidDocument } from './support/schema.js';
import { fakeSpan } from './support/spans.js';

const options = resolveTranslateOptions();

interface Input {
  attributes?: Attributes;
  resource?: Attributes;
  /** Defaults to a segment: most of the block comes from the resource, which only segments carry. */
  isSegment?: boolean;
  kind?: SpanKind;
}

function translate({ attributes = {}, resource = {}, isSegment = true, kind = SpanKind.SERVER }: Input): AwsFields & { ctx: TranslateContext } {
  const ctx = createContext(fakeSpan({ kind, attributes, resource }), isSegment, options);
  const fields = awsFields(ctx);
  const doc = { name: 'x', id: '0123456789abcdef', trace_id: '1-5759e988-bd862e3fe1be46a994272793', start_time: 1, end_time: 2, ...fields };
  expectValidDocument(doc);
  expectValidDocument(JSON.parse(JSON.stringify(doc)));
  return { ...fields, ctx };
}

const INSTANCE_ID = 'i-00f7c0bcb26da2a99';
const CONTAINER_NAME = 'signup_aggregator-x82ufje83';
const CONTAINER_ID = '0123456789A';

describe('awsFields: the Collector cases', () => {
  // From awsxrayexporter's aws_test.go.
  it('describes an EC2 instance', () => {
    const { aws } = translate({
      resource: {
        'cloud.provider': 'aws',
        'cloud.platform': 'aws_ec2',
        'cloud.account.id': '123456789',
        'cloud.availability_zone': 'us-east-1c',
        'host.id': INSTANCE_ID,
        'host.type': 'm5.xlarge',
        'host.image.id': 'ami-0123456789',
      },
    });
    expect(aws?.account_id).toBe('123456789');
    expect(aws?.ec2).toEqual({ instance_id: INSTANCE_ID, availability_zone: 'us-east-1c', instance_size: 'm5.xlarge', ami_id: 'ami-0123456789' });
    expect(aws?.ecs).toBeUndefined();
    expect(aws?.elastic_beanstalk).toBeUndefined();
    expect(aws?.eks).toBeUndefined();
  });

  it('describes an ECS container (and its EC2 host, which has an instance id)', () => {
    const taskArn = 'arn:aws:ecs:us-west-2:123456789123:task/123';
    const clusterArn = 'arn:aws:ecs:us-west-2:123456789123:cluster/my-cluster';
    const containerArn = 'arn:aws:ecs:us-west-2:123456789123:container-instance/123';
    const { aws } = translate({
      resource: {
        'cloud.provider': 'aws',
        'cloud.platform': 'aws_ecs',
        'cloud.account.id': '123456789',
        'cloud.availability_zone': 'us-east-1c',
        'container.image.name': 'otel/signupaggregator',
        'container.image.tag': 'v1',
        'container.name': CONTAINER_NAME,
        'container.id': CONTAINER_ID,
        'host.id': INSTANCE_ID,
        'aws.ecs.cluster.arn': clusterArn,
        'aws.ecs.container.arn': containerArn,
        'aws.ecs.task.arn': taskArn,
        'aws.ecs.task.family': 'family',
        'aws.ecs.launchtype': 'fargate',
        'host.type': 'm5.xlarge',
      },
    });
    expect(aws?.ecs).toEqual({
      container: CONTAINER_NAME,
      container_id: CONTAINER_ID,
      availability_zone: 'us-east-1c',
      cluster_arn: clusterArn,
      container_arn: containerArn,
      task_arn: taskArn,
      task_family: 'family',
      launch_type: 'fargate',
    });
    expect(aws?.ec2).toBeDefined();
    expect(aws?.elastic_beanstalk).toBeUndefined();
    expect(aws?.eks).toBeUndefined();
  });

  it('describes an Elastic Beanstalk environment', () => {
    const { aws } = translate({
      resource: {
        'cloud.provider': 'aws',
        'cloud.platform': 'aws_elastic_beanstalk',
        'cloud.account.id': '123456789',
        'cloud.availability_zone': 'us-east-1c',
        'service.namespace': 'production',
        'service.instance.id': '232',
        'service.version': '4',
      },
    });
    expect(aws?.elastic_beanstalk).toEqual({ environment_name: 'production', version_label: '4', deployment_id: 232 });
    expect(aws?.ec2).toBeUndefined();
    expect(aws?.ecs).toBeUndefined();
    expect(aws?.eks).toBeUndefined();
  });

  it('describes an EKS pod (and its EC2 node)', () => {
    const { aws } = translate({
      resource: {
        'cloud.provider': 'aws',
        'cloud.platform': 'aws_eks',
        'cloud.account.id': '123456789',
        'cloud.availability_zone': 'us-east-1c',
        'container.image.name': 'otel/signupaggregator',
        'k8s.cluster.name': 'production',
        'k8s.namespace.name': 'default',
        'k8s.deployment.name': 'signup_aggregator',
        'k8s.pod.name': 'my-deployment-65dcf7d447-ddjnl',
        'container.name': CONTAINER_NAME,
        'container.id': CONTAINER_ID,
        'host.id': INSTANCE_ID,
        'host.type': 'm5.xlarge',
      },
    });
    expect(aws?.eks).toEqual({ cluster_name: 'production', pod: 'my-deployment-65dcf7d447-ddjnl', container_id: CONTAINER_ID });
    expect(aws?.ec2).toBeDefined();
    expect(aws?.ecs).toBeUndefined();
    expect(aws?.elastic_beanstalk).toBeUndefined();
  });

  it('records an SQS call: operation, region, queue, and the span account over the resource one', () => {
    const queueUrl = 'https://sqs.use1.amazonaws.com/Meltdown-Alerts';
    const { aws, ctx } = translate({
      resource: { 'cloud.provider': 'aws', 'cloud.account.id': '123456789', 'k8s.cluster.name': 'production', 'host.id': INSTANCE_ID },
      attributes: {
        'aws.operation': 'SendMessage',
        'aws.account_id': '987654321',
        'aws.region': 'us-east-2',
        'aws.queue_url': queueUrl,
        'employee.id': 'XB477',
      },
    });
    expect(aws).toMatchObject({ operation: 'SendMessage', account_id: '987654321', region: 'us-east-2', queue_url: queueUrl });
    expect(ctx.consumed.has('employee.id')).toBe(false);
  });

  it.each<[string, Attributes, Partial<Record<string, unknown>>]>([
    ['rpc.method as operation (of an aws-api span)', { 'rpc.system': 'aws-api', 'rpc.method': 'ListBuckets' }, { operation: 'ListBuckets' }],
    ['aws.queue.url', { 'aws.queue.url': 'https://sqs.use1.amazonaws.com/Meltdown-Alerts' }, { queue_url: 'https://sqs.use1.amazonaws.com/Meltdown-Alerts' }],
    ['messaging.url', { 'messaging.url': 'https://sqs.use1.amazonaws.com/Meltdown-Alerts' }, { queue_url: 'https://sqs.use1.amazonaws.com/Meltdown-Alerts' }],
    [
      'aws.operation over rpc.method, request id, table name',
      { 'rpc.system': 'aws-api', 'rpc.method': 'IncorrectAWSSDKOperation', 'aws.operation': 'PutItem', 'aws.request_id': '75107C82-EC8A-4F75-883F-4440B491B0AB', 'aws.table_name': 'WIDGET_TYPES' },
      { operation: 'PutItem', request_id: '75107C82-EC8A-4F75-883F-4440B491B0AB', table_name: 'WIDGET_TYPES' },
    ],
    ['aws.table.name', { 'aws.table.name': 'MyTable' }, { table_name: 'MyTable' }],
    ['aws.dynamodb.table_names with one table', { 'aws.dynamodb.table_names': ['MyTable'] }, { table_name: 'MyTable' }],
    ['aws.dynamodb.table_names as a string', { 'aws.dynamodb.table_names': 'MyTable' }, { table_name: 'MyTable' }],
    ['aws.requestId', { 'aws.requestId': '12345-request' }, { request_id: '12345-request' }],
  ])('reads %s', (_name, attributes, expected) => {
    const { aws } = translate({ attributes, isSegment: false, kind: SpanKind.CLIENT });
    expect(aws).toEqual(expected);
  });

  it.each<[string, Attributes, { sdk: string; sdk_version: string; auto_instrumentation: boolean }]>([
    ['Java', { 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.language': 'java', 'telemetry.sdk.version': '1.2.3' }, { sdk: 'opentelemetry for java', sdk_version: '1.2.3', auto_instrumentation: false }],
    ['Java auto-instrumented', { 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.language': 'java', 'telemetry.sdk.version': '1.2.3', 'telemetry.auto.version': '3.4.5' }, { sdk: 'opentelemetry for java', sdk_version: '1.2.3', auto_instrumentation: true }],
    ['Java with a distro', { 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.language': 'java', 'telemetry.sdk.version': '1.2.3', 'telemetry.distro.version': '3.4.5' }, { sdk: 'opentelemetry for java', sdk_version: '1.2.3', auto_instrumentation: true }],
    ['Go', { 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.language': 'go', 'telemetry.sdk.version': '2.0.3' }, { sdk: 'opentelemetry for go', sdk_version: '2.0.3', auto_instrumentation: false }],
    ['a custom SDK', { 'telemetry.sdk.name': 'opentracing', 'telemetry.sdk.language': 'java', 'telemetry.sdk.version': '2.0.3' }, { sdk: 'opentracing for java', sdk_version: '2.0.3', auto_instrumentation: false }],
    ['an SDK already named for its language', { 'telemetry.sdk.name': 'X-Ray SDK for Java', 'telemetry.sdk.language': 'java', 'telemetry.sdk.version': '2.0.3' }, { sdk: 'X-Ray SDK for Java', sdk_version: '2.0.3', auto_instrumentation: false }],
  ])('names the %s SDK', (_name, resource, xray) => {
    expect(translate({ resource }).aws?.xray).toEqual(xray);
  });

  describe('log groups', () => {
    const arn1 = 'arn:aws:logs:us-east-1:123456789123:log-group:group1';
    const arn2 = 'arn:aws:logs:us-east-1:123456789123:log-group:group2:*';

    it.each<[string, Attributes, Array<{ log_group: string; arn?: string }> | undefined]>([
      ['names', { 'aws.log.group.names': ['group1', 'group2'] }, [{ log_group: 'group1' }, { log_group: 'group2' }]],
      ['ARNs, naming the group from the ARN', { 'aws.log.group.arns': [arn1, arn2] }, [{ log_group: 'group1', arn: arn1 }, { log_group: 'group2', arn: arn2 }]],
      ['one name as a string (OTEL_RESOURCE_ATTRIBUTES)', { 'aws.log.group.names': 'group1' }, [{ log_group: 'group1' }]],
      ['&-separated names', { 'aws.log.group.names': 'group1&group2' }, [{ log_group: 'group1' }, { log_group: 'group2' }]],
      ['&-separated names with a trailing &', { 'aws.log.group.names': 'group1&group2&' }, [{ log_group: 'group1' }, { log_group: 'group2' }]],
      ['&-separated names with && in the middle', { 'aws.log.group.names': 'group1&&group2' }, [{ log_group: 'group1' }, { log_group: 'group2' }]],
      ['&-separated names with a leading &', { 'aws.log.group.names': '&group1&group2' }, [{ log_group: 'group1' }, { log_group: 'group2' }]],
      ['only &', { 'aws.log.group.names': '&' }, undefined],
      ['a value of the wrong type', { 'aws.log.group.names': 1 }, undefined],
      ['one ARN as a string', { 'aws.log.group.arns': arn1 }, [{ log_group: 'group1', arn: arn1 }]],
      ['&-separated ARNs', { 'aws.log.group.arns': `${arn1}&arn:aws:logs:us-east-1:123456789123:log-group:group2` }, [{ log_group: 'group1', arn: arn1 }, { log_group: 'group2', arn: 'arn:aws:logs:us-east-1:123456789123:log-group:group2' }]],
      ['ARNs before names', { 'aws.log.group.arns': [arn1], 'aws.log.group.names': ['other'] }, [{ log_group: 'group1', arn: arn1 }]],
    ])('from %s', (_name, resource, logs) => {
      expect(translate({ resource }).aws?.cloudwatch_logs).toEqual(logs);
    });
  });
});

describe('awsFields: origin and service', () => {
  it.each<[Attributes, string | undefined]>([
    [{ 'cloud.provider': 'aws', 'cloud.platform': 'aws_ec2' }, 'AWS::EC2::Instance'],
    [{ 'cloud.platform': 'aws_ecs' }, 'AWS::ECS::Container'],
    [{ 'cloud.platform': 'aws_ecs', 'aws.ecs.launchtype': 'ec2' }, 'AWS::ECS::EC2'],
    [{ 'cloud.platform': 'aws_ecs', 'aws.ecs.launchtype': 'fargate' }, 'AWS::ECS::Fargate'],
    [{ 'cloud.platform': 'aws_ecs', 'aws.ecs.launchtype': 'FARGATE' }, 'AWS::ECS::Fargate'],
    [{ 'cloud.platform': 'aws_ecs', 'aws.ecs.launchtype': 'external' }, 'AWS::ECS::Container'],
    [{ 'cloud.platform': 'aws_eks' }, 'AWS::EKS::Container'],
    [{ 'cloud.platform': 'aws_elastic_beanstalk' }, 'AWS::ElasticBeanstalk::Environment'],
    [{ 'cloud.platform': 'aws_lambda' }, 'AWS::Lambda::Function'],
    [{ 'cloud.platform': 'aws_app_runner' }, 'AWS::AppRunner::Service'],
    [{ 'cloud.platform': 'aws_openshift' }, undefined],
    [{ 'cloud.platform': 'gcp_compute_engine' }, undefined],
    [{ 'cloud.provider': 'gcp', 'cloud.platform': 'aws_ec2' }, undefined],
    [{}, undefined],
  ])('%j → %s', (resource, origin) => {
    expect(translate({ resource }).origin).toBe(origin);
  });

  it('takes service.version from the resource', () => {
    expect(translate({ resource: { 'service.version': '1.4.2' } }).service).toEqual({ version: '1.4.2' });
    expect(translate({ resource: {} }).service).toBeUndefined();
  });
});

describe('awsFields: beyond the Collector', () => {
  it('emits nothing AWS-specific for another cloud, but keeps the service version', () => {
    const fields = translate({
      resource: { 'cloud.provider': 'gcp', 'cloud.platform': 'gcp_kubernetes_engine', 'k8s.cluster.name': 'c', 'host.id': 'h', 'service.version': '2' },
      attributes: { 'aws.operation': 'GetObject', 'aws.region': 'us-east-1' },
    });
    expect(fields.aws).toBeUndefined();
    expect(fields.origin).toBeUndefined();
    expect(fields.service).toEqual({ version: '2' });
    // Not turned into a field, so still reported in metadata.
    expect(fields.ctx.consumed.size).toBe(0);
  });

  it('accepts "AWS" in any case as the provider', () => {
    expect(translate({ resource: { 'cloud.provider': 'AWS', 'cloud.platform': 'aws_ec2' } }).origin).toBe('AWS::EC2::Instance');
  });

  it('lists several DynamoDB tables as table_names', () => {
    const { aws } = translate({ attributes: { 'aws.dynamodb.table_names': ['A', 'B', '', 7 as unknown as string] }, isSegment: false });
    expect(aws).toEqual({ table_names: ['A', 'B'] });
  });

  it('ignores rpc.method unless the span is an AWS SDK call', () => {
    const { aws, ctx } = translate({ attributes: { 'rpc.system': 'grpc', 'rpc.method': 'SayHello' }, isSegment: false });
    expect(aws).toBeUndefined();
    expect(ctx.consumed.size).toBe(0);
  });

  it('reads the region of an AWS SDK call from cloud.region, as the JS instrumentation sets it', () => {
    const { aws, ctx } = translate({
      attributes: { 'rpc.system': 'aws-api', 'rpc.service': 'S3', 'rpc.method': 'GetObject', 'cloud.region': 'eu-west-1', 'aws.request_id': 'R1' },
      isSegment: false,
      kind: SpanKind.CLIENT,
    });
    expect(aws).toEqual({ operation: 'GetObject', region: 'eu-west-1', request_id: 'R1' });
    expect([...ctx.consumed].sort()).toEqual(['aws.request_id', 'cloud.region', 'rpc.method']);
  });

  it('does not read cloud.region of other spans as an AWS region', () => {
    expect(translate({ attributes: { 'cloud.region': 'europe-west1' }, isSegment: false }).aws).toBeUndefined();
  });

  it('reads the current SQS convention aws.sqs.queue.url', () => {
    expect(translate({ attributes: { 'aws.sqs.queue.url': 'https://sqs/q' }, isSegment: false }).aws).toEqual({ queue_url: 'https://sqs/q' });
  });

  it('describes the process on segments only; subsegments carry their call', () => {
    const resource = {
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_ec2',
      'cloud.account.id': '123456789',
      'host.id': INSTANCE_ID,
      'telemetry.sdk.name': 'opentelemetry',
      'telemetry.sdk.language': 'nodejs',
      'service.version': '1.0.0',
    };
    const sub = translate({ resource, attributes: { 'aws.operation': 'Query' }, isSegment: false, kind: SpanKind.CLIENT });
    expect(sub.aws).toEqual({ operation: 'Query' });
    expect(sub.origin).toBeUndefined();
    expect(sub.service).toBeUndefined();

    const seg = translate({ resource });
    expect(seg.aws).toMatchObject({ account_id: '123456789', ec2: { instance_id: INSTANCE_ID }, xray: { sdk: 'opentelemetry for nodejs' } });
    expect(seg.origin).toBe('AWS::EC2::Instance');
    expect(seg.service).toEqual({ version: '1.0.0' });
  });

  it('omits empty sub-objects and an empty block', () => {
    expect(translate({ resource: { 'cloud.platform': 'aws_ec2' } }).aws).toBeUndefined();
    expect(translate({ resource: { 'cloud.platform': 'aws_ecs' } }).aws).toBeUndefined();
    expect(translate({ resource: { 'cloud.platform': 'aws_eks' } }).aws).toBeUndefined();
    expect(translate({ resource: { 'host.id': INSTANCE_ID } }).aws).toEqual({ ec2: { instance_id: INSTANCE_ID } });
  });

  it('needs a deployment id for Elastic Beanstalk, and reads a non-numeric one as 0 like the Collector', () => {
    expect(translate({ resource: { 'cloud.platform': 'aws_elastic_beanstalk', 'service.namespace': 'prod' } }).aws).toBeUndefined();
    expect(translate({ resource: { 'cloud.platform': 'aws_elastic_beanstalk', 'service.instance.id': 'abc' } }).aws?.elastic_beanstalk).toEqual({ deployment_id: 0 });
    expect(translate({ resource: { 'cloud.platform': 'aws_elastic_beanstalk', 'service.instance.id': '99999999999999999999' } }).aws?.elastic_beanstalk).toEqual({ deployment_id: 0 });
  });

  it('consumes the span attributes it turned into fields, and both copies of a duplicated one', () => {
    const { ctx } = translate({
      attributes: { 'aws.request_id': 'R', 'aws.requestId': 'R', 'messaging.url': 'q', 'aws.queue_url': 'q', 'aws.table_name': 'T', other: 1 },
      isSegment: false,
    });
    expect([...ctx.consumed].sort()).toEqual(['aws.queue_url', 'aws.requestId', 'aws.request_id', 'aws.table_name', 'messaging.url']);
  });
});

describe('awsFields: what @opentelemetry/instrumentation-aws-sdk writes', () => {
  const call = (attributes: Attributes) => translate({ attributes: { 'rpc.system': 'aws-api', ...attributes }, isSegment: false, kind: SpanKind.CLIENT });

  it('reads the request id from `aws.request.id` and S3\'s extended id as `id_2`', () => {
    const { aws, ctx } = call({ 'rpc.service': 'S3', 'rpc.method': 'GetObject', 'aws.request.id': 'REQ1', 'aws.request.extended_id': 'EXT2' });
    expect(aws).toMatchObject({ operation: 'GetObject', request_id: 'REQ1', id_2: 'EXT2' });
    expect(ctx.consumed).toContain('aws.request.id');
    expect(ctx.consumed).toContain('aws.request.extended_id');
  });

  it('names the S3 bucket and key', () => {
    const { aws } = call({ 'rpc.service': 'S3', 'rpc.method': 'PutObject', 'aws.s3.bucket': 'photos', 'aws.s3.key': 'cat.png' });
    expect(aws).toMatchObject({ bucket_name: 'photos', key: 'cat.png' });
  });

  it('takes an SQS span\'s `url.full` as the queue, with the message id', () => {
    const queue = 'http://127.0.0.1:4566/000000000000/jobs';
    const { aws, ctx } = call({ 'rpc.service': 'SQS', 'messaging.system': 'aws_sqs', 'url.full': queue, 'messaging.message.id': 'm-1' });
    expect(aws).toMatchObject({ queue_url: queue, message_id: 'm-1' });
    expect(ctx.consumed).toContain('url.full');
  });

  it('leaves `url.full` alone on AWS calls that are not SQS', () => {
    const { aws, ctx } = call({ 'rpc.service': 'S3', 'url.full': 'http://example.com/x' });
    expect(aws?.queue_url).toBeUndefined();
    expect(ctx.consumed).not.toContain('url.full');
  });

  it('records retries, SNS topics, Lambda functions and DynamoDB table counts', () => {
    const { aws } = call({
      'aws.xray.retries': 2,
      'aws.sns.topic.arn': 'arn:aws:sns:us-east-1:123456789012:t',
      'faas.invoked_name': 'fn',
      'aws.dynamodb.table_count': 3,
    });
    expect(aws).toMatchObject({ retries: 2, topic_arn: 'arn:aws:sns:us-east-1:123456789012:t', function_name: 'fn', table_count: 3 });
  });

  it('ignores retries that are not a non-negative integer', () => {
    for (const retries of [-1, 1.5, '2', Number.NaN]) expect(call({ 'aws.xray.retries': retries }).aws?.retries).toBeUndefined();
  });

  it('does not repeat a DynamoDB table or operation that `db.*` attributes carry again', () => {
    const { aws, ctx } = call({
      'rpc.service': 'DynamoDB',
      'rpc.method': 'PutItem',
      'aws.dynamodb.table_names': ['orders'],
      'db.namespace': 'orders',
      'db.operation.name': 'PutItem',
    });
    expect(aws).toMatchObject({ operation: 'PutItem', table_name: 'orders' });
    expect(ctx.consumed).toContain('db.namespace');
    expect(ctx.consumed).toContain('db.operation.name');
  });

  it('reads none of these on spans that are not AWS SDK calls', () => {
    const { aws } = translate({ attributes: { 'aws.s3.bucket': 'b', 'aws.xray.retries': 1, 'messaging.system': 'aws_sqs', 'url.full': 'http://q' }, isSegment: false, kind: SpanKind.CLIENT });
    expect(aws).toBeUndefined();
  });
});

describe('awsFields: arbitrary attributes', () => {
  const spanKeys = [
    'aws.operation', 'rpc.method', 'rpc.system', 'aws.region', 'cloud.region', 'aws.request_id', 'aws.requestId', 'aws.queue_url',
    'aws.queue.url', 'aws.sqs.queue.url', 'messaging.url', 'aws.table_name', 'aws.table.name', 'aws.dynamodb.table_names', 'aws.account_id',
    'aws.request.id', 'aws.request.extended_id', 'aws.s3.bucket', 'aws.s3.key', 'aws.sns.topic.arn', 'faas.invoked_name', 'aws.xray.retries',
    'aws.dynamodb.table_count', 'messaging.system', 'messaging.message.id', 'url.full', 'db.namespace', 'db.operation.name',
  ];
  const resourceKeys = [
    'cloud.provider', 'cloud.platform', 'cloud.account.id', 'cloud.availability_zone', 'host.id', 'host.type', 'host.image.id',
    'container.name', 'container.id', 'aws.ecs.cluster.arn', 'aws.ecs.container.arn', 'aws.ecs.task.arn', 'aws.ecs.task.family',
    'aws.ecs.launchtype', 'k8s.pod.name', 'k8s.cluster.name', 'service.namespace', 'service.instance.id', 'service.version',
    'telemetry.sdk.name', 'telemetry.sdk.language', 'telemetry.sdk.version', 'telemetry.auto.version', 'telemetry.distro.version',
    'aws.log.group.names', 'aws.log.group.arns',
  ];
  const value = fc.oneof(
    fc.string(),
    fc.constantFrom('', 'aws', 'AWS', 'gcp', 'aws-api', 'aws_sqs', 'aws_ec2', 'aws_ecs', 'aws_eks', 'aws_lambda', 'aws_elastic_beanstalk', 'ec2', 'fargate', '12', '&', 'a&b', 'arn:a:b:c:d:e:f'),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.array(fc.oneof(fc.string(), fc.double(), fc.boolean()), { maxLength: 3 }),
  );
  const attrs = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys), value) as fc.Arbitrary<Attributes>;

  it('never throws, and always yields schema-valid fields without empty objects', () => {
    fc.assert(
      fc.property(attrs(spanKeys), attrs(resourceKeys), fc.boolean(), (attributes, resource, isSegment) => {
        const { aws } = translate({ attributes, resource, isSegment });
        if (aws !== undefined) {
          expect(Object.keys(aws).length).toBeGreaterThan(0);
          for (const v of Object.values(aws)) if (v !== null && typeof v === 'object' && !Array.isArray(v)) expect(Object.keys(v).length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
