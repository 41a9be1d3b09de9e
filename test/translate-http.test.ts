import { SpanKind, type Attributes } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HttpBlock } from '../src/exporter/document.js';
import { resolveTranslateOptions } from '../src/exporter/options.js';
import { createContext, type TranslateContext } from '../src/exporter/translate/context.js';
import { httpBlock, httpStatus } from '../src/exporter/translate/http.js';
import { expectValidDocument } from './support/schema.js';
import { fakeSpan } from './support/spans.js';

const options = resolveTranslateOptions();

function context(kind: SpanKind, attributes: Attributes): TranslateContext {
  return createContext(fakeSpan({ kind, attributes }), kind === SpanKind.SERVER, options);
}

/** Translates and checks the block inside a minimal document, as X-Ray would receive it. */
function translate(kind: SpanKind, attributes: Attributes): { http: HttpBlock | undefined; ctx: TranslateContext } {
  const ctx = context(kind, attributes);
  const http = httpBlock(ctx);
  expectValidDocument(document(http));
  // What goes over the wire is JSON: NaN or Infinity would turn into null there.
  expectValidDocument(JSON.parse(JSON.stringify(document(http))));
  return { http, ctx };
}

function document(http: HttpBlock | undefined): object {
  const doc = { name: 'x', id: '0123456789abcdef', trace_id: '1-5759e988-bd862e3fe1be46a994272793', start_time: 1, end_time: 2 };
  return http === undefined ? doc : { ...doc, http };
}

const { CLIENT, SERVER, INTERNAL, CONSUMER, PRODUCER } = SpanKind;

describe('httpBlock: the Collector cases', () => {
  // Each case is one of awsxrayexporter's http_test.go tests, in its old- and stable-convention form.
  it.each<[string, SpanKind, Attributes, string]>([
    ['client, http.url', CLIENT, { 'http.method': 'GET', 'http.url': 'https://api.example.com/users/junit', 'http.status_code': 200 }, 'https://api.example.com/users/junit'],
    ['client, url.full', CLIENT, { 'http.request.method': 'GET', 'url.full': 'https://api.example.com/users/junit', 'http.response.status_code': 200 }, 'https://api.example.com/users/junit'],
    ['client, scheme + http.host + target', CLIENT, { 'http.method': 'GET', 'http.scheme': 'https', 'http.host': 'api.example.com', 'http.target': '/users/junit', 'http.status_code': 200, 'user.id': 'junit' }, 'https://api.example.com/users/junit'],
    ['client, url.scheme + http.host', CLIENT, { 'http.request.method': 'GET', 'url.scheme': 'https', 'http.host': 'api.example.com', 'http.response.status_code': 200, 'user.id': 'junit' }, 'https://api.example.com/'],
    ['client, peer name + port + target', CLIENT, { 'http.method': 'GET', 'http.scheme': 'http', 'net.peer.name': 'kb234.example.com', 'net.peer.port': 8080, 'net.peer.ip': '10.8.17.36', 'http.target': '/users/junit', 'http.status_code': 200 }, 'http://kb234.example.com:8080/users/junit'],
    ['client, url.scheme + peer name + port', CLIENT, { 'http.request.method': 'GET', 'url.scheme': 'http', 'net.peer.name': 'kb234.example.com', 'net.peer.port': 8080, 'net.peer.ip': '10.8.17.36', 'http.response.status_code': 200 }, 'http://kb234.example.com:8080/'],
    ['client, peer IPv4 + port as string', CLIENT, { 'http.method': 'GET', 'http.scheme': 'http', 'net.peer.ip': '10.8.17.36', 'net.peer.port': '8080', 'http.target': '/users/junit' }, 'http://10.8.17.36:8080/users/junit'],
    ['server, http.url', SERVER, { 'http.method': 'GET', 'http.url': 'https://api.example.com/users/junit', 'http.client_ip': '192.168.15.32', 'http.user_agent': 'PostmanRuntime/7.21.0', 'http.status_code': 200 }, 'https://api.example.com/users/junit'],
    ['server, url.full', SERVER, { 'http.request.method': 'GET', 'url.full': 'https://api.example.com/users/junit', 'client.address': '192.168.15.32', 'user_agent.original': 'PostmanRuntime/7.21.0', 'http.response.status_code': 200 }, 'https://api.example.com/users/junit'],
    ['server, scheme + http.host + target', SERVER, { 'http.method': 'GET', 'http.scheme': 'https', 'http.host': 'api.example.com', 'http.target': '/users/junit', 'http.client_ip': '192.168.15.32', 'http.status_code': 200 }, 'https://api.example.com/users/junit'],
    ['server, url.scheme + server.address + url.path', SERVER, { 'http.request.method': 'GET', 'url.scheme': 'https', 'server.address': 'api.example.com', 'url.path': '/users/junit', 'client.address': '192.168.15.32', 'http.response.status_code': 200 }, 'https://api.example.com/users/junit'],
    ['server, http.server_name + default port', SERVER, { 'http.method': 'GET', 'http.scheme': 'https', 'http.server_name': 'api.example.com', 'net.host.port': 443, 'http.target': '/users/junit', 'http.client_ip': '192.168.15.32', 'http.status_code': 200 }, 'https://api.example.com/users/junit'],
    ['server, server.address + default server.port', SERVER, { 'http.request.method': 'GET', 'url.scheme': 'https', 'server.address': 'api.example.com', 'server.port': 443, 'url.path': '/users/junit', 'client.address': '192.168.15.32', 'http.response.status_code': 200 }, 'https://api.example.com/users/junit'],
    ['server, host.name + net.host.port', SERVER, { 'http.method': 'GET', 'http.scheme': 'http', 'host.name': 'kb234.example.com', 'net.host.port': 8080, 'http.target': '/users/junit', 'http.client_ip': '192.168.15.32', 'http.status_code': 200 }, 'http://kb234.example.com:8080/users/junit'],
    ['server, server.address + server.port', SERVER, { 'http.request.method': 'GET', 'url.scheme': 'http', 'server.address': 'kb234.example.com', 'server.port': 8080, 'url.path': '/users/junit', 'client.address': '192.168.15.32', 'http.response.status_code': 200 }, 'http://kb234.example.com:8080/users/junit'],
  ])('%s', (_name, kind, attributes, url) => {
    const { http } = translate(kind, attributes);
    expect(http?.request?.url).toBe(url);
  });

  it('reads method, client ip, user agent and status; leaves other attributes alone', () => {
    const { http, ctx } = translate(CLIENT, {
      'http.method': 'GET',
      'http.scheme': 'https',
      'http.host': 'api.example.com',
      'http.target': '/users/junit',
      'http.status_code': 200,
      'user.id': 'junit',
    });
    expect(http).toEqual({ request: { method: 'GET', url: 'https://api.example.com/users/junit' }, response: { status: 200 } });
    expect(ctx.consumed.has('user.id')).toBe(false);
  });

  it('takes the client ip from net.peer.ip', () => {
    const { http } = translate(CLIENT, { 'http.method': 'GET', 'net.peer.name': 'kb234.example.com', 'net.peer.ip': '10.8.17.36' });
    expect(http?.request?.client_ip).toBe('10.8.17.36');
    expect(http?.request?.x_forwarded_for).toBeUndefined();
  });

  it('prefers the forwarded http.client_ip over net.peer.ip', () => {
    const { http } = translate(CLIENT, { 'http.client_ip': '1.2.3.4', 'net.peer.ip': '10.8.17.36' });
    expect(http?.request).toMatchObject({ client_ip: '1.2.3.4', x_forwarded_for: true });
  });

  it('prefers client.address over network.peer.address', () => {
    const { http } = translate(CLIENT, { 'url.full': 'https://api.example.com/users/junit', 'client.address': '1.2.3.4', 'network.peer.address': '10.8.17.36' });
    expect(http?.request?.client_ip).toBe('1.2.3.4');
  });

  it.each<[string, Attributes]>([
    ['old conventions', { 'http.method': 'GET', 'http.scheme': 'http', 'http.client_ip': '192.168.15.32', 'http.user_agent': 'PostmanRuntime/7.21.0', 'http.target': '/users/junit', 'net.host.port': 443, 'net.peer.port': 8080, 'http.status_code': 200 }],
    ['stable conventions', { 'http.request.method': 'GET', 'url.scheme': 'http', 'client.address': '192.168.15.32', 'user_agent.original': 'PostmanRuntime/7.21.0', 'url.path': '/users/junit', 'server.port': 443, 'http.response.status_code': 200 }],
  ])('builds no URL without a host (%s)', (_name, attributes) => {
    const { http } = translate(SERVER, attributes);
    expect(http?.request?.url).toBeUndefined();
    expect(http?.request).toMatchObject({ client_ip: '192.168.15.32', method: 'GET', user_agent: 'PostmanRuntime/7.21.0' });
    expect(http?.response?.status).toBe(200);
  });

  it('handles old and stable keys sent together ("dup" mode) and consumes both', () => {
    const attributes: Attributes = {
      'http.method': 'GET',
      'http.request.method': 'GET',
      'http.scheme': 'http',
      'url.scheme': 'http',
      'http.client_ip': '192.168.15.32',
      'client.address': '192.168.15.32',
      'http.user_agent': 'PostmanRuntime/7.21.0',
      'user_agent.original': 'PostmanRuntime/7.21.0',
      'http.target': '/users/junit',
      'url.path': '/users/junit',
      'net.host.port': 443,
      'server.port': 443,
      'net.peer.port': 8080,
      'http.status_code': 200,
      'http.response.status_code': 200,
    };
    const { http, ctx } = translate(SERVER, attributes);
    expect(http?.request?.url).toBeUndefined();
    expect(http?.request).toMatchObject({ client_ip: '192.168.15.32', method: 'GET', user_agent: 'PostmanRuntime/7.21.0' });
    expect(http?.response?.status).toBe(200);
    for (const key of ['http.method', 'http.request.method', 'http.user_agent', 'user_agent.original', 'http.status_code', 'http.response.status_code', 'client.address']) {
      expect(ctx.consumed, key).toContain(key);
    }
  });

  it('marks client.address without a socket peer as forwarded', () => {
    const { http } = translate(SERVER, { 'url.full': 'https://api.example.com/users/junit', 'client.address': '192.168.15.32' });
    expect(http?.request).toMatchObject({ client_ip: '192.168.15.32', x_forwarded_for: true });
  });

  it('does not mark client.address equal to network.peer.address as forwarded', () => {
    const { http } = translate(SERVER, { 'url.full': 'https://api.example.com/users/junit', 'client.address': '192.168.15.32', 'network.peer.address': '192.168.15.32' });
    expect(http?.request?.client_ip).toBe('192.168.15.32');
    expect(http?.request?.x_forwarded_for).toBeUndefined();
  });

  it('ignores a client.address that is not an IP', () => {
    const { http, ctx } = translate(SERVER, { 'url.full': 'https://api.example.com/users/junit', 'client.address': 'api.example.com', 'network.peer.address': 'api.example.com' });
    expect(http?.request?.client_ip).toBeUndefined();
    expect(http?.request?.x_forwarded_for).toBeUndefined();
    expect(ctx.consumed.has('client.address')).toBe(false);
  });
});

describe('httpBlock: beyond the Collector', () => {
  it('rebuilds client URLs from the stable server.address, server.port, url.path and url.query', () => {
    const { http, ctx } = translate(CLIENT, {
      'http.request.method': 'GET',
      'url.scheme': 'https',
      'server.address': 'api.example.com',
      'server.port': 8443,
      'url.path': '/search',
      'url.query': 'q=otel',
    });
    expect(http?.request?.url).toBe('https://api.example.com:8443/search?q=otel');
    for (const key of ['url.scheme', 'server.address', 'server.port', 'url.path', 'url.query']) expect(ctx.consumed).toContain(key);
  });

  it('prefers server.address over the older peer attributes on client spans', () => {
    const { http } = translate(CLIENT, { 'http.request.method': 'GET', 'server.address': 'api.example.com', 'net.peer.name': 'old.example.com', 'net.peer.ip': '10.0.0.1' });
    expect(http?.request?.url).toBe('http://api.example.com/');
  });

  it('puts IPv6 hosts in brackets (the Collector writes https://2001:db8::…/)', () => {
    const { http } = translate(CLIENT, { 'http.method': 'GET', 'http.scheme': 'https', 'net.peer.ip': '2001:db8:85a3::8a2e:370:7334', 'net.peer.port': '443', 'http.target': '/users/junit' });
    expect(http?.request?.url).toBe('https://[2001:db8:85a3::8a2e:370:7334]/users/junit');
  });

  it('escapes the % of an IPv6 zone id and keeps a non-default port', () => {
    const { http } = translate(CLIENT, { 'http.request.method': 'GET', 'server.address': 'fe80::1%eth0', 'server.port': 8080 });
    expect(http?.request?.url).toBe('http://[fe80::1%25eth0]:8080/');
  });

  it.each<[string, number, string]>([
    ['http', 80, 'http://h.example/'],
    ['https', 443, 'https://h.example/'],
    ['https', 80, 'https://h.example:80/'],
    ['http', 443, 'http://h.example:443/'],
    ['HTTPS', 443, 'HTTPS://h.example/'],
  ])('omits only the scheme\'s default port (%s on %i)', (scheme, port, url) => {
    const { http } = translate(CLIENT, { 'http.request.method': 'GET', 'url.scheme': scheme, 'server.address': 'h.example', 'server.port': port });
    expect(http?.request?.url).toBe(url);
  });

  it('adds no second port to http.host, which is the Host header', () => {
    const { http } = translate(SERVER, { 'http.method': 'GET', 'http.host': 'api.example.com:8080', 'net.host.port': 8080, 'http.target': '/x' });
    expect(http?.request?.url).toBe('http://api.example.com:8080/x');
  });

  it('joins url.path and url.query whatever their leading characters', () => {
    expect(translate(SERVER, { 'http.request.method': 'GET', 'server.address': 'h', 'url.path': 'a/b', 'url.query': '?x=1' }).http?.request?.url).toBe('http://h/a/b?x=1');
    expect(translate(SERVER, { 'http.request.method': 'GET', 'server.address': 'h', 'url.query': 'x=1' }).http?.request?.url).toBe('http://h/?x=1');
  });

  it('ignores an invalid port rather than writing it into the URL', () => {
    for (const port of [0, -1, 65536, 80.5, 'http', Number.NaN]) {
      const { http, ctx } = translate(CLIENT, { 'http.request.method': 'GET', 'server.address': 'h.example', 'server.port': port });
      expect(http?.request?.url).toBe('http://h.example/');
      expect(ctx.consumed.has('server.port')).toBe(false);
    }
  });

  it('keeps url.full verbatim and leaves the parts it did not use for metadata', () => {
    const url = 'https://api.example.com/a%20b?c=d#frag';
    const { http, ctx } = translate(CLIENT, { 'url.full': url, 'server.address': 'api.example.com', 'server.port': 443 });
    expect(http?.request?.url).toBe(url);
    expect(ctx.consumed.has('server.address')).toBe(false);
    expect(ctx.consumed.has('server.port')).toBe(false);
  });

  it('marks client.address as forwarded when the socket peer differs (a proxy)', () => {
    const { http, ctx } = translate(SERVER, { 'http.request.method': 'GET', 'client.address': '203.0.113.9', 'network.peer.address': '10.0.0.2' });
    expect(http?.request).toMatchObject({ client_ip: '203.0.113.9', x_forwarded_for: true });
    // The proxy's address is not in the block, so it stays for metadata.
    expect(ctx.consumed.has('network.peer.address')).toBe(false);
  });

  it('compares client.address with the old net.peer.ip when that is the socket peer', () => {
    expect(translate(SERVER, { 'http.request.method': 'GET', 'client.address': '10.0.0.2', 'net.peer.ip': '10.0.0.2' }).http?.request?.x_forwarded_for).toBeUndefined();
    expect(translate(SERVER, { 'http.request.method': 'GET', 'client.address': '203.0.113.9', 'net.peer.ip': '10.0.0.2' }).http?.request?.x_forwarded_for).toBe(true);
  });

  it('uses the socket peer as client ip when nothing else is known, without x_forwarded_for', () => {
    const { http } = translate(SERVER, { 'http.request.method': 'GET', 'network.peer.address': '::1' });
    expect(http?.request?.client_ip).toBe('::1');
    expect(http?.request?.x_forwarded_for).toBeUndefined();
  });

  it('never writes a non-IP client address (it would exceed or mislead client_ip)', () => {
    const { http } = translate(SERVER, { 'http.request.method': 'GET', 'http.client_ip': 'x'.repeat(300), 'network.peer.address': 'unknown' });
    expect(http?.request?.client_ip).toBeUndefined();
  });

  describe('status', () => {
    it.each<[unknown, number | undefined]>([
      [200, 200],
      [100, 100],
      [999, 999],
      ['503', 503],
      [99, undefined],
      [1000, undefined],
      [0, undefined],
      [-404, undefined],
      [404.5, undefined],
      ['abc', undefined],
      ['', undefined],
      [Number.NaN, undefined],
      [Number.POSITIVE_INFINITY, undefined],
      [true, undefined],
      [[200], undefined],
    ])('%j → %s', (value, status) => {
      const attributes = { 'http.request.method': 'GET', 'http.response.status_code': value } as Attributes;
      const { http, ctx } = translate(SERVER, attributes);
      expect(http?.response?.status).toBe(status);
      expect(httpStatus(ctx)).toBe(status);
      // A value that isn't a status is kept in metadata rather than lost.
      expect(ctx.consumed.has('http.response.status_code')).toBe(status !== undefined);
    });

    it('falls back to http.status_code when the stable key holds no valid status', () => {
      const { http, ctx } = translate(CLIENT, { 'http.response.status_code': 'oops', 'http.status_code': 429 });
      expect(http?.response?.status).toBe(429);
      expect(httpStatus(ctx)).toBe(429);
    });

    it('is the same number for httpStatus and the block, and httpStatus consumes nothing', () => {
      const ctx = context(SERVER, { 'http.response.status_code': 503 });
      expect(httpStatus(ctx)).toBe(503);
      expect(ctx.consumed.size).toBe(0);
      expect(httpBlock(ctx)?.response?.status).toBe(503);
      expect(httpStatus(ctx)).toBe(503);
    });
  });

  describe('content length', () => {
    it('comes from http.response.body.size, else http.response_content_length', () => {
      expect(translate(CLIENT, { 'http.response.body.size': 1234 }).http?.response?.content_length).toBe(1234);
      expect(translate(CLIENT, { 'http.response_content_length': '56' }).http?.response?.content_length).toBe(56);
      expect(translate(CLIENT, { 'http.response.body.size': 0 }).http?.response?.content_length).toBe(0);
    });

    it('is omitted unless a non-negative finite number', () => {
      for (const value of [-1, Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 'big', false]) {
        const { http } = translate(CLIENT, { 'http.request.method': 'GET', 'http.response.body.size': value });
        expect(http?.response).toBeUndefined();
      }
    });
  });

  describe('method', () => {
    it('reports an unknown method by its original name instead of _OTHER', () => {
      const { http, ctx } = translate(SERVER, { 'http.request.method': '_OTHER', 'http.request.method_original': 'PURGE' });
      expect(http?.request?.method).toBe('PURGE');
      expect(ctx.consumed).toContain('http.request.method_original');
    });

    it('keeps _OTHER when the original is unknown', () => {
      expect(translate(SERVER, { 'http.request.method': '_OTHER' }).http?.request?.method).toBe('_OTHER');
    });

    it('omits a method longer than X-Ray accepts (250 characters)', () => {
      const { http } = translate(SERVER, { 'http.request.method': 'M'.repeat(251), 'http.method': 'GET' });
      expect(http?.request?.method).toBe('GET');
    });
  });

  describe('no block', () => {
    it.each<[string, SpanKind, Attributes]>([
      ['no attributes', SERVER, {}],
      ['unrelated attributes', INTERNAL, { 'user.id': 'x', 'code.function': 'f' }],
      ['a database span with addresses only', CLIENT, { 'db.system': 'postgresql', 'server.address': 'db', 'server.port': 5432, 'net.peer.ip': '10.0.0.1' }],
      ['a messaging span with client.address', CONSUMER, { 'messaging.system': 'kafka', 'client.address': '10.0.0.1' }],
      ['only an invalid status', PRODUCER, { 'http.response.status_code': 42 }],
      ['only empty strings', CLIENT, { 'http.request.method': '', 'url.full': '', 'user_agent.original': '' }],
    ])('%s', (_name, kind, attributes) => {
      const { http, ctx } = translate(kind, attributes);
      expect(http).toBeUndefined();
      expect(ctx.consumed.size).toBe(0);
    });
  });

  it('consumes exactly what it turned into fields', () => {
    const { ctx } = translate(CLIENT, {
      'http.request.method': 'POST',
      'url.full': 'https://api.example.com/x',
      'http.response.status_code': 201,
      'http.response.body.size': 10,
      'user_agent.original': 'ua',
      'http.request.body.size': 99,
      'network.protocol.version': '1.1',
    });
    expect([...ctx.consumed].sort()).toEqual(['http.request.method', 'http.response.body.size', 'http.response.status_code', 'url.full', 'user_agent.original']);
  });
});

describe('httpBlock: AWS SDK calls', () => {
  it('keeps only the response, as the X-Ray SDKs do (an SQS call\'s `url.full` is its queue)', () => {
    const ctx = createContext(
      fakeSpan({ kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'aws-api', 'url.full': 'http://q/1/jobs', 'http.request.method': 'POST', 'http.response.status_code': 200 } }),
      false,
      resolveTranslateOptions(),
    );
    expect(httpBlock(ctx)).toEqual({ response: { status: 200 } });
    expect(ctx.consumed).not.toContain('url.full');
  });
});

describe('httpBlock: arbitrary attributes', () => {
  const keys = [
    'http.request.method', 'http.method', 'http.request.method_original', 'url.full', 'http.url', 'user_agent.original', 'http.user_agent',
    'client.address', 'http.client_ip', 'net.peer.ip', 'network.peer.address', 'http.response.status_code', 'http.status_code',
    'http.response.body.size', 'http.response_content_length', 'url.scheme', 'http.scheme', 'server.address', 'http.host',
    'http.server_name', 'net.host.name', 'host.name', 'net.peer.name', 'server.port', 'net.host.port', 'net.peer.port', 'url.path',
    'url.query', 'http.target',
  ];
  const value = fc.oneof(
    fc.string(),
    fc.constantFrom('', 'GET', '_OTHER', '200', '429', ' 503 ', '1e3', '-1', 'NaN', '::1', 'fe80::1%eth0', '10.0.0.1', 'https', 'HTTP', '/p', '?q'),
    fc.double(),
    fc.integer(),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 80, 443, 65535, 65536),
    fc.boolean(),
    fc.array(fc.oneof(fc.string(), fc.double(), fc.boolean()), { maxLength: 3 }),
  );
  const attributes = fc.dictionary(fc.constantFrom(...keys), value) as fc.Arbitrary<Attributes>;
  const kind = fc.constantFrom(SERVER, CLIENT, INTERNAL, PRODUCER, CONSUMER);

  it('never throws, and always yields a schema-valid block (or none)', () => {
    fc.assert(
      fc.property(kind, attributes, (k, attrs) => {
        const { http, ctx } = translate(k, attrs);
        const status = httpStatus(ctx);
        expect(http?.response?.status).toBe(status);
        if (http !== undefined) expect(Object.keys(http).length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});
