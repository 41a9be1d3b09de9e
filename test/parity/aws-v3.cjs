// captureAWSv3Client: each command is an `aws` subsegment named after the service.
const { DynamoDBClient, GetItemCommand, PutItemCommand, DescribeTableCommand } = require('@aws-sdk/client-dynamodb');
const AWSXRay = require('aws-xray-sdk-core');

const client = AWSXRay.captureAWSv3Client(
  new DynamoDBClient({
    endpoint: process.env.FAKE_AWS_ENDPOINT,
    region: 'us-west-2',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret' },
    maxAttempts: 1,
  }),
);

AWSXRay.getNamespace().run(async () => {
  const segment = new AWSXRay.Segment('inventory');
  AWSXRay.setSegment(segment);
  const item = await client.send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'o-1' } }, ConsistentRead: true }));
  console.log('get:', JSON.stringify(item.Item));
  await client.send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: 'o-2' } } }));
  console.log('put: ok');
  try {
    await client.send(new DescribeTableCommand({ TableName: 'missing' }));
  } catch (err) {
    console.log('describe:', err.name);
  }
  try {
    await client.send(new GetItemCommand({ TableName: 'hot', Key: { id: { S: 'x' } } }));
  } catch (err) {
    console.log('throttled:', err.name);
  }
  segment.close();
});
