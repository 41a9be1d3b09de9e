// captureMySQL (the aws-xray-sdk umbrella's) on mysql2: queries, execute, errors and a streamed query, in automatic mode.
const AWSXRay = require('aws-xray-sdk');
const mysql = AWSXRay.captureMySQL(require('mysql2'));

const config = { host: process.env.MYSQL_HOST, port: Number(process.env.MYSQL_PORT), user: process.env.MYSQL_USER, password: process.env.MYSQL_PASSWORD, database: 'shop' };

function call(fn) {
  return new Promise((resolve) => fn((err, rows) => resolve([err, rows])));
}

AWSXRay.getNamespace().run(async () => {
  const segment = new AWSXRay.Segment('shop');
  AWSXRay.setSegment(segment);
  const conn = mysql.createConnection(config);
  const [, rows] = await call((cb) =>
    conn.query('SELECT 1 + 1 AS two', (err, r) => {
      // The callback runs in the query's subsegment.
      console.log('callback', r[0].two, AWSXRay.getSegment().name);
      cb(err, r);
    }),
  );
  console.log('rows', rows.length);
  const [, byValue] = await call((cb) => conn.query('SELECT ? AS n', [3], cb));
  console.log('values', byValue[0].n);
  const [, executed] = await call((cb) => conn.execute('SELECT ? AS n', [4], cb));
  console.log('execute', executed[0].n);
  const [err] = await call((cb) => conn.query('SELECT * FROM no_such_table', cb));
  console.log('failed', err.code);
  await new Promise((resolve) => {
    const q = conn.query('SELECT 5 AS five');
    q.on('result', (r) => console.log('streamed', r.five));
    q.on('end', resolve);
  });
  await new Promise((resolve) => conn.end(resolve));
  segment.close();
});
