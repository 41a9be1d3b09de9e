// Flags, user, SQL data, precursor ids and attributes, in automatic mode.
const AWSXRay = require('aws-xray-sdk-core');

AWSXRay.getNamespace().run(() => {
  const segment = new AWSXRay.Segment('accounts');
  AWSXRay.setSegment(segment);
  segment.setUser('user-42');
  segment.addErrorFlag();
  const q = segment.addNewSubsegment('accounts@db.internal');
  q.addSqlData(new AWSXRay.database.SqlData('14.2', 'pg 8.11', 'app', 'postgresql://db.internal:5432/accounts', 'statement'));
  q.namespace = 'remote';
  q.close();
  const limited = segment.addNewSubsegment('rate-limited');
  limited.addThrottleFlag();
  limited.addErrorFlag();
  limited.close();
  const broken = segment.addNewSubsegment('broken');
  broken.addPrecursorId(q.id);
  broken.addFaultFlag();
  broken.close();
  segment.close();
  console.log('flags:', segment.error === true, limited.throttle === true, broken.fault === true);
});
