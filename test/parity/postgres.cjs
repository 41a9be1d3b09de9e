// capturePostgres (aws-xray-sdk-postgres): pg queries as `sql` subsegments, in automatic mode.
const AWSXRay = require('aws-xray-sdk-core');
const capturePostgres = require('aws-xray-sdk-postgres');
const pg = capturePostgres(require('pg'));

const config = { host: process.env.PG_HOST, port: Number(process.env.PG_PORT), user: process.env.PG_USER, password: process.env.PG_PASSWORD, database: 'postgres' };

AWSXRay.getNamespace().run(async () => {
  const segment = new AWSXRay.Segment('orders');
  AWSXRay.setSegment(segment);
  const client = new pg.Client(config);
  await client.connect();
  await new Promise((resolve) =>
    client.query('SELECT 1 AS one', (err, res) => {
      // The callback runs in the query's subsegment.
      console.log('callback', res.rows[0].one, AWSXRay.getSegment().name);
      resolve();
    }),
  );
  const byValue = await client.query('SELECT $1::int AS n', [2]);
  console.log('values', byValue.rows[0].n);
  const prepared = await client.query({ name: 'by-n', text: 'SELECT $1::int AS n', values: [3] });
  console.log('prepared', prepared.rows[0].n);
  await new Promise((resolve) =>
    client.query('SELECT * FROM no_such_table', (err) => {
      console.log('failed', err.message);
      resolve();
    }),
  );
  await AWSXRay.captureAsyncFunc('report', async (sub) => {
    const res = await client.query('SELECT 4 AS four');
    console.log('nested', res.rows[0].four);
    sub.close();
  });
  await client.end();
  segment.close();
});
