import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SpanKind, type Attributes } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createContext } from '../src/exporter/translate/context.js';
import { resolveName, sanitizeName, serviceName } from '../src/exporter/translate/names.js';
import { resolveTranslateOptions } from '../src/exporter/options.js';
import { expectValidDocument, schemaErrors } from './support/schema.js';
import { capturingLogger } from './fixtures/recorder-harness.js';
import type { Logger } from '../src/logger.js';
import { fakeSpan, spanId, XRAY_TRACE_ID, type FakeSpanInit } from './support/spans.js';

const schema = JSON.parse(
  readFileSync(fileURLToPath(new URL('../schema/segment-document.schema.json', import.meta.url)), 'utf8'),
) as { definitions: { name: { pattern: string } } };
const NAME_PATTERN = new RegExp(schema.definitions.name.pattern, 'u');

const codePoints = (s: string): number => [...s].length;

/** The name `resolveName` gives a span; a subsegment unless `isSegment`. No service name in the environment unless given. */
function nameOf(init: FakeSpanInit, isSegment = false, env: NodeJS.ProcessEnv = {}, logger: Logger = capturingLogger()): string {
  return resolveName(createContext(fakeSpan(init), isSegment, resolveTranslateOptions({ logger }, env)));
}

function documentNamed(name: string): object {
  return { name, id: spanId(), trace_id: XRAY_TRACE_ID, start_time: 1700000000.123456, end_time: 1700000001.5 };
}

// The Collector's awsxrayexporter test fixture resource.
const collectorResource: Attributes = { 'service.name': 'signup_aggregator', 'service.version': 'semver:1.1.4', 'cloud.provider': 'aws' };

describe('sanitizeName', () => {
  describe('Collector cases (TestFixSegmentName)', () => {
    it('leaves a valid name with spaces, @, #, - and non-ASCII letters unchanged', () => {
      const name = 'EP @ test_15.testing-d\u00F6main.org#GO';
      expect(sanitizeName(name)).toBe(name);
    });

    it('drops the angle brackets of "<subDomain>.example.com"', () => {
      expect(sanitizeName('<subDomain>.example.com')).toBe('subDomain.example.com');
    });

    it('returns an empty string when no character is allowed (resolveName then picks a fallback)', () => {
      expect(sanitizeName('<>')).toBe('');
    });
  });

  it('keeps every allowed symbol: _ . : / % & # = + - @', () => {
    expect(sanitizeName('a_b.c:d/e%f&g#h=i+j-k@l')).toBe('a_b.c:d/e%f&g#h=i+j-k@l');
  });

  it('keeps Unicode letters, Unicode numbers and space separators such as NBSP', () => {
    expect(sanitizeName('注文 サービス ٣٤ Ⅻ\u00A0ok\u3000x')).toBe('注文 サービス ٣٤ Ⅻ\u00A0ok\u3000x');
  });

  it('drops commas, dollars, quotes, brackets, emoji, tabs and newlines (beyond the collector: X-Ray rejects them)', () => {
    expect(sanitizeName('orders,v2')).toBe('ordersv2');
    expect(sanitizeName('$pay$ment')).toBe('payment');
    expect(sanitizeName('a"b\'c(d)e[f]g{h}i*j!k?l|m\\n;o')).toBe('abcdefghijklmno');
    expect(sanitizeName('cart 🛒 svc')).toBe('cart  svc');
    expect(sanitizeName('line\nbreak\ttab')).toBe('linebreaktab');
  });

  it('drops lone surrogates rather than emitting broken UTF-16', () => {
    expect(sanitizeName('a\uD800b\uDC00c')).toBe('abc');
  });

  it('returns the input itself when it is already valid and short', () => {
    const name = 'checkout-service';
    expect(sanitizeName(name)).toBe(name);
    expect(sanitizeName('')).toBe('');
  });

  describe('length: 200 code points, not UTF-16 units, not bytes', () => {
    it('cuts ASCII names to 200 characters', () => {
      expect(sanitizeName('a'.repeat(250))).toBe('a'.repeat(200));
    });

    it('keeps 200 two-byte letters whole (the Collector cuts at 200 bytes, i.e. 100 of them)', () => {
      const name = '\u00FC'.repeat(200);
      expect(sanitizeName(name)).toBe(name);
      expect(sanitizeName('\u00FC'.repeat(300))).toBe(name);
    });

    it('counts a letter outside the BMP as one code point and never splits its surrogate pair', () => {
      const astral = '\u{1D49C}'; // MATHEMATICAL SCRIPT CAPITAL A, a letter encoded as two UTF-16 units
      const cut = sanitizeName(astral.repeat(250));
      expect(codePoints(cut)).toBe(200);
      expect(cut).toBe(astral.repeat(200));
      expect(sanitizeName('a'.repeat(199) + astral)).toBe('a'.repeat(199) + astral);
      expect(sanitizeName('a'.repeat(200) + astral)).toBe('a'.repeat(200));
    });

    it('removes invalid characters before counting', () => {
      expect(sanitizeName('$'.repeat(100) + 'b'.repeat(200))).toBe('b'.repeat(200));
    });
  });

  it('always yields a schema-valid name or an empty string of at most 200 code points (property)', () => {
    const awkward = fc.constantFrom('a', ' ', ',', '$', '\u00A0', '\u{1D49C}', '\uD800', '\uDC00', '😀', 'é', '٣', '\t', '@', '/', '<');
    const input = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc.string({ unit: awkward, maxLength: 400 }),
    );
    fc.assert(
      fc.property(input, (raw) => {
        const out = sanitizeName(raw);
        expect(codePoints(out)).toBeLessThanOrEqual(200);
        if (out !== '') {
          expect(out).toMatch(NAME_PATTERN);
          expect(schemaErrors(documentNamed(out))).toEqual([]);
        }
      }),
    );
  });
});

describe('serviceName', () => {
  it('is the resource service.name', () => {
    expect(serviceName({ 'service.name': 'payments' })).toBe('payments');
  });

  it('treats the SDK defaults unknown_service and unknown_service:<process> as unset', () => {
    expect(serviceName({ 'service.name': 'unknown_service' })).toBeUndefined();
    expect(serviceName({ 'service.name': 'unknown_service:node' })).toBeUndefined();
  });

  it('treats a missing, empty or non-string service.name as unset', () => {
    expect(serviceName({})).toBeUndefined();
    expect(serviceName({ 'service.name': '' })).toBeUndefined();
    expect(serviceName({ 'service.name': 42 })).toBeUndefined();
  });

  it('keeps names that merely contain the default text', () => {
    expect(serviceName({ 'service.name': 'my-unknown_service' })).toBe('my-unknown_service');
  });
});

describe('resolveName', () => {
  describe('SERVER and CONSUMER spans are named after the local service', () => {
    it('uses the resource service.name (Collector: TestServerSpanWithInternalServerError)', () => {
      const name = nameOf(
        { kind: SpanKind.SERVER, name: '/api/locations', resource: collectorResource, attributes: { 'http.method': 'POST', 'http.status_code': 500 } },
        true,
      );
      expect(name).toBe('signup_aggregator');
    });

    it('prefers aws.local.service, even over aws.remote.service (Collector: TestServerSpanWithAwsLocalServiceName)', () => {
      const attributes = { 'rpc.service': 'ABC', 'aws.local.service': 'PaymentLocalService', 'aws.remote.service': 'PaymentService' };
      expect(nameOf({ kind: SpanKind.SERVER, name: 'ABC.payment', resource: collectorResource, attributes }, true)).toBe('PaymentLocalService');
    });

    it('names a CONSUMER after aws.local.service (Collector: TestConsumerSpanWithAwsRemoteServiceName)', () => {
      const attributes = { 'rpc.service': 'ABC', 'aws.local.service': 'ConsumerService', 'http.host': 'payment.amazonaws.com' };
      expect(nameOf({ kind: SpanKind.CONSUMER, name: 'ABC.payment', parentSpanId: spanId(), attributes }, true)).toBe('ConsumerService');
    });

    it('takes OTEL_SERVICE_NAME, then AWS_XRAY_TRACING_NAME, when service.name is the unknown_service default', () => {
      const span: FakeSpanInit = { kind: SpanKind.SERVER, name: 'GET', resource: { 'service.name': 'unknown_service:node' } };
      expect(nameOf(span, true, { OTEL_SERVICE_NAME: 'orders', AWS_XRAY_TRACING_NAME: 'legacy-orders' })).toBe('orders');
      expect(nameOf(span, true, { OTEL_SERVICE_NAME: ' ', AWS_XRAY_TRACING_NAME: 'legacy-orders' })).toBe('legacy-orders');
      expect(nameOf({ ...span, resource: {} }, true, { AWS_XRAY_TRACING_NAME: 'legacy-orders' })).toBe('legacy-orders');
    });

    it('prefers the resource service.name over the environment', () => {
      expect(nameOf({ kind: SpanKind.SERVER, name: 'GET', resource: { 'service.name': 'checkout' } }, true, { OTEL_SERVICE_NAME: 'orders' })).toBe('checkout');
    });

    it('never takes the span name (one X-Ray node per HTTP verb): OTel\'s placeholder, and one warning that says how to set a name', () => {
      const logger = capturingLogger();
      const names = ['GET', 'POST', 'PUT'].map((verb) => nameOf({ kind: SpanKind.SERVER, name: verb, resource: { 'service.name': 'unknown_service:node' } }, true, {}, logger));
      expect(names).toEqual(['unknown_service', 'unknown_service', 'unknown_service']);
      expect(nameOf({ kind: SpanKind.CONSUMER, name: 'orders process', resource: {} }, true, {}, logger)).toBe('unknown_service');
      expect(logger.warnings()).toEqual([expect.stringMatching(/^no service name is set, so segments are named "unknown_service".*service\.name.*OTEL_SERVICE_NAME/)]);
    });

    it('ignores client-side attributes such as peer.service and server.address', () => {
      const attributes = { 'peer.service': 'other', 'server.address': 'api.example.com', 'http.host': 'api.example.com' };
      expect(nameOf({ kind: SpanKind.SERVER, resource: { 'service.name': 'orders' }, attributes }, true)).toBe('orders');
    });

    it('names a SERVER span like a segment even when it becomes a subsegment (Lambda)', () => {
      expect(nameOf({ kind: SpanKind.SERVER, parentSpanId: spanId(), resource: { 'service.name': 'orders' } }, false)).toBe('orders');
    });
  });

  describe('CLIENT, PRODUCER and INTERNAL spans are named after what they call', () => {
    it('names an aws-api call after rpc.service (Collector: TestClientSpanWithRpcAwsSdkClientAttributes)', () => {
      const attributes = {
        'http.method': 'POST',
        'http.host': 'dynamodb.us-east-1.amazonaws.com',
        'rpc.service': 'DynamoDB',
        'rpc.method': 'GetItem',
        'rpc.system': 'aws-api',
      };
      expect(nameOf({ kind: SpanKind.CLIENT, name: 'AmazonDynamoDB.getItem', attributes })).toBe('DynamoDB');
    });

    it('names a legacy AWS SDK call after aws.service (Collector: TestClientSpanWithLegacyAwsSdkClientAttributes)', () => {
      const attributes = { 'http.host': 'dynamodb.us-east-1.amazonaws.com', 'aws.service': 'DynamoDB', 'rpc.method': 'IncorrectAWSSDKOperation' };
      expect(nameOf({ kind: SpanKind.CLIENT, name: 'AmazonDynamoDB.getItem', attributes })).toBe('DynamoDB');
    });

    it('prefers peer.service over aws.service (Collector: TestClientSpanWithPeerService)', () => {
      const attributes = { 'http.host': 'dynamodb.us-east-1.amazonaws.com', 'peer.service': 'cats-table', 'aws.service': 'DynamoDB' };
      expect(nameOf({ kind: SpanKind.CLIENT, name: 'AmazonDynamoDB.getItem', attributes })).toBe('cats-table');
    });

    it('uses service.peer.name when peer.service is absent', () => {
      expect(nameOf({ kind: SpanKind.CLIENT, attributes: { 'service.peer.name': 'inventory', 'aws.service': 'S3' } })).toBe('inventory');
    });

    it('names CLIENT and PRODUCER spans after aws.remote.service (Collector: TestClientSpanWithAwsRemoteServiceName, TestProducerSpanWithAwsRemoteServiceName)', () => {
      const base = { 'http.host': 'payment.amazonaws.com', 'rpc.service': 'ABC' };
      expect(nameOf({ kind: SpanKind.CLIENT, name: 'ABC.payment', attributes: { ...base, 'aws.remote.service': 'PaymentService' } })).toBe('PaymentService');
      expect(nameOf({ kind: SpanKind.PRODUCER, name: 'ABC.payment', attributes: { ...base, 'aws.remote.service': 'ProducerService' } })).toBe('ProducerService');
    });

    it('prefers aws.remote.service over peer.service', () => {
      expect(nameOf({ kind: SpanKind.CLIENT, attributes: { 'aws.remote.service': 'Remote', 'peer.service': 'Peer' } })).toBe('Remote');
    });

    it('strips the AWS.SDK. and AWS:: prefixes of aws.remote.service on aws-api spans', () => {
      expect(nameOf({ kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'aws-api', 'aws.remote.service': 'AWS::DynamoDB' } })).toBe('DynamoDB');
      expect(nameOf({ kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'aws-api', 'aws.remote.service': 'AWS.SDK.SQS' } })).toBe('SQS');
    });

    it('keeps those prefixes on other spans', () => {
      expect(nameOf({ kind: SpanKind.CLIENT, attributes: { 'aws.remote.service': 'AWS::Custom' } })).toBe('AWS::Custom');
    });

    it('names a database call <db>@<host> from db.name and the connection string (Collector: TestClientSpanWithDbComponent)', () => {
      const attributes = {
        'db.system': 'mysql',
        'db.name': 'customers',
        'db.statement': 'call update_user_preference( ?, ?, ? )',
        'db.user': 'userprefsvc',
        'db.connection_string': 'mysql://db.dev.example.com:3306',
        'net.peer.name': 'db.dev.example.com',
        'net.peer.port': '3306',
      };
      expect(nameOf({ kind: SpanKind.CLIENT, name: 'call update_user_preference( ?, ?, ? )', attributes })).toBe('customers@db.dev.example.com');
    });

    it('prefers db.namespace over db.name and takes the host from server.address', () => {
      const attributes = { 'db.namespace': 'orders', 'db.name': 'legacy', 'server.address': 'pg.internal' };
      expect(nameOf({ kind: SpanKind.CLIENT, attributes })).toBe('orders@pg.internal');
    });

    it('reads the host of a jdbc: connection string without its credentials or IPv6 brackets', () => {
      const jdbc = { 'db.name': 'orders', 'db.connection_string': 'jdbc:postgresql://app:s3cret@pg.internal:5432/orders' };
      expect(nameOf({ kind: SpanKind.CLIENT, attributes: jdbc })).toBe('orders@pg.internal');
      const ipv6 = { 'db.name': 'orders', 'db.connection_string': 'postgresql://[::1]:5432/orders' };
      expect(nameOf({ kind: SpanKind.CLIENT, attributes: ipv6 })).toBe('orders@::1');
    });

    it('names a database call after the database alone when no host is known', () => {
      expect(nameOf({ kind: SpanKind.CLIENT, attributes: { 'db.name': 'customers' } })).toBe('customers');
    });

    it('prefers rpc.service over the network peer (Collector: TestClientSpanWithRpcHost)', () => {
      const attributes = { 'http.target': '/com.foo.AnimalService/GetCats', 'rpc.service': 'com.foo.AnimalService', 'net.peer.name': 'bar.com' };
      expect(nameOf({ kind: SpanKind.CLIENT, name: 'GET /com.foo.AnimalService/GetCats', attributes })).toBe('com.foo.AnimalService');
    });

    it('prefers http.host over net.peer.name (Collector: TestClientSpanWithHttpHost)', () => {
      const attributes = { 'net.peer.ip': '2607:f8b0:4000:80c::2004', 'http.host': 'foo.com', 'net.peer.name': 'bar.com' };
      expect(nameOf({ kind: SpanKind.CLIENT, name: 'GET /', attributes })).toBe('foo.com');
    });

    it('uses net.peer.name when nothing better is set (Collector: TestClientSpanWithoutHttpHost)', () => {
      const attributes = { 'net.peer.ip': '2607:f8b0:4000:80c::2004', 'net.peer.name': 'bar.com' };
      expect(nameOf({ kind: SpanKind.CLIENT, name: 'GET /', attributes })).toBe('bar.com');
    });

    it('uses the stable server.address for clients, ahead of http.host (beyond the collector)', () => {
      expect(nameOf({ kind: SpanKind.CLIENT, name: 'GET', attributes: { 'server.address': 'api.example.com', 'http.host': 'old.example.com' } })).toBe(
        'api.example.com',
      );
    });

    it('falls back to the span name', () => {
      expect(nameOf({ kind: SpanKind.INTERNAL, name: 'compute totals' })).toBe('compute totals');
      expect(nameOf({ kind: SpanKind.CLIENT, name: 'GET' })).toBe('GET');
    });

    it('names a root INTERNAL span (a segment) by the same list, not after the service', () => {
      expect(nameOf({ kind: SpanKind.INTERNAL, name: 'nightly-job', resource: { 'service.name': 'batch' } }, true)).toBe('nightly-job');
    });
  });

  describe('every name is sanitized, whatever its source (beyond the collector)', () => {
    it('drops , and $ from attribute-derived names, which X-Ray answers with InvalidName', () => {
      expect(nameOf({ kind: SpanKind.CLIENT, attributes: { 'peer.service': 'orders,v2' } })).toBe('ordersv2');
      expect(nameOf({ kind: SpanKind.CLIENT, attributes: { 'aws.remote.service': 'pay$ment' } })).toBe('payment');
      expect(nameOf({ kind: SpanKind.CLIENT, attributes: { 'db.name': 'sales$2024', 'server.address': 'db,1' } })).toBe('sales2024@db1');
      expect(nameOf({ kind: SpanKind.SERVER, attributes: { 'aws.local.service': 'front,end' } }, true)).toBe('frontend');
      expect(nameOf({ kind: SpanKind.SERVER, resource: { 'service.name': 'my$svc' } }, true)).toBe('mysvc');
    });

    it('cuts attribute-derived names to 200 code points', () => {
      const name = nameOf({ kind: SpanKind.CLIENT, attributes: { 'peer.service': '\u00E9'.repeat(300) } });
      expect(name).toBe('\u00E9'.repeat(200));
    });

    it('falls back to the service name when nothing valid is left', () => {
      expect(nameOf({ kind: SpanKind.CLIENT, name: '<>', resource: { 'service.name': 'checkout' } })).toBe('checkout');
      expect(nameOf({ kind: SpanKind.CLIENT, attributes: { 'peer.service': '$$$' }, resource: { 'service.name': 'checkout' } })).toBe('checkout');
    });

    it('falls back to "span" when the service name is missing, a default, or invalid too', () => {
      expect(nameOf({ kind: SpanKind.CLIENT, name: '<>', resource: {} })).toBe('span');
      expect(nameOf({ kind: SpanKind.CLIENT, name: '()', resource: { 'service.name': 'unknown_service:node' } })).toBe('span');
      expect(nameOf({ kind: SpanKind.CLIENT, name: '***', resource: { 'service.name': '$$' } })).toBe('span');
    });
  });

  it('does not consume the attributes it reads, so they still reach metadata', () => {
    const ctx = createContext(
      fakeSpan({ kind: SpanKind.CLIENT, attributes: { 'peer.service': 'a', 'db.name': 'b', 'server.address': 'c', 'rpc.system': 'aws-api' } }),
      false,
      resolveTranslateOptions(),
    );
    resolveName(ctx);
    expect(ctx.consumed.size).toBe(0);
  });

  it('produces names that validate in a full document', () => {
    const names = [
      nameOf({ kind: SpanKind.CLIENT, attributes: { 'peer.service': 'a,b$c' } }),
      nameOf({ kind: SpanKind.CLIENT, attributes: { 'db.name': 'x', 'db.connection_string': 'jdbc:mysql://[fe80::1]:3306' } }),
      nameOf({ kind: SpanKind.SERVER, name: '<>', resource: {} }, true),
      nameOf({ kind: SpanKind.INTERNAL, name: '\u{1D49C}'.repeat(500) }),
    ];
    for (const name of names) expectValidDocument(documentNamed(name));
  });
});
