import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExceptionDocument, StackFrame } from '../src/exporter/document.js';
import { parseDotnetStack } from '../src/exporter/translate/stack/dotnet.js';
import { parseGoStack } from '../src/exporter/translate/stack/go.js';
import { MAX_CAUSES, MAX_STACK_FRAMES, parseStack, splitHeader, type ParsedStack } from '../src/exporter/translate/stack/index.js';
import { parseJavaStack } from '../src/exporter/translate/stack/java.js';
import { parseJavaScriptStack } from '../src/exporter/translate/stack/javascript.js';
import { parsePythonStack } from '../src/exporter/translate/stack/python.js';
import { expectValidDocument } from './support/schema.js';

// Fixtures marked "Collector fixture" are the stack traces of the OpenTelemetry Collector's
// awsxrayexporter tests (exporter/awsxrayexporter/internal/translator/cause_test.go), used as
// test data; the expectations are ours, and say so where they deliberately differ.

/** Wraps parsed stacks the way cause.ts does and checks the document against the schema. */
function expectSchemaValid(parsed: ParsedStack): void {
  const exceptions: ExceptionDocument[] = [{ id: '0123456789abcdef', stack: parsed.frames }];
  if (parsed.truncated !== undefined) exceptions[0]!.truncated = parsed.truncated;
  for (const c of parsed.causes ?? []) {
    const ex: ExceptionDocument = { id: 'fedcba9876543210', stack: c.frames };
    if (c.type !== undefined) ex.type = c.type;
    if (c.message !== undefined) ex.message = c.message;
    if (c.truncated !== undefined) ex.truncated = c.truncated;
    if (c.skipped !== undefined) ex.skipped = c.skipped;
    exceptions.push(ex);
  }
  expectValidDocument({
    name: 'x',
    id: '0123456789abcdef',
    trace_id: '1-5759e988-bd862e3fe1be46a994272793',
    start_time: 1,
    end_time: 2,
    cause: { working_directory: '/srv', exceptions },
  });
}

function parse(stack: string, language: string | undefined): ParsedStack {
  const parsed = parseStack(stack, language);
  expectSchemaValid(parsed);
  return parsed;
}

function frames(stack: string, language: string | undefined): StackFrame[] {
  return parse(stack, language).frames;
}

describe('parseStack: choosing the parser', () => {
  const javaTrace = 'java.lang.IllegalStateException: x\n\tat com.example.Main.run(Main.java:12)';
  const jsTrace = 'Error: x\n    at run (/srv/app.js:12:5)';

  it.each(['nodejs', 'webjs', 'javascript', undefined, 'ruby', '', 'constructor', '__proto__', 'toString'])('reads V8 stacks for language %j', (language) => {
    expect(frames(jsTrace, language)).toEqual([{ label: 'run', path: '/srv/app.js', line: 12 }]);
  });

  it.each(['java', 'Java', 'kotlin', 'php'])('reads Java stacks for %s (PHP and Kotlin print the JVM format)', (language) => {
    expect(frames(javaTrace, language)).toEqual([{ label: 'com.example.Main.run', path: 'Main.java', line: 12 }]);
  });

  it('does not read a Java trace as JavaScript frames (no garbage paths like "Main.run(Main.java")', () => {
    expect(frames(javaTrace, 'nodejs')).toEqual([]);
  });

  it('gives no frames for an empty stack trace', () => {
    expect(parseStack('', 'java')).toEqual({ frames: [] });
  });

  it('dispatches python, dotnet and go', () => {
    expect(frames('Traceback (most recent call last):\n  File "a.py", line 3, in f\n    x()\nE: m', 'python')).toEqual([
      { path: 'a.py', line: 3, label: 'f' },
    ]);
    expect(frames('System.Exception: m\n   at A.B() in /src/A.cs:line 4', 'dotnet')).toEqual([{ label: 'A.B()', path: '/src/A.cs', line: 4 }]);
    expect(frames('goroutine 1 [running]:\nmain.main()\n\t/src/main.go:8 +0x18', 'go')).toEqual([
      { label: 'main.main', path: '/src/main.go', line: 8 },
    ]);
  });
});

describe('JavaScript (V8) stacks', () => {
  it('reads the Collector fixture, with labels that carry no trailing space (beyond the collector)', () => {
    // Collector fixture. The Collector's labels are "speedy ", "makeFaster ", …
    const stack = `TypeError: Cannot read property 'value' of null
    at speedy (/home/gbusey/file.js:6:11)
    at makeFaster (/home/gbusey/file.js:5:3)
    at Object.<anonymous> (/home/gbusey/file.js:10:1)
    at node.js:906:3
    at Array.forEach (native)
    at native`;
    expect(frames(stack, 'nodejs')).toEqual([
      { label: 'speedy', path: '/home/gbusey/file.js', line: 6 },
      { label: 'makeFaster', path: '/home/gbusey/file.js', line: 5 },
      { label: 'Object.<anonymous>', path: '/home/gbusey/file.js', line: 10 },
      { path: 'node.js', line: 906 },
      { label: 'Array.forEach', path: 'native' },
      { path: 'native' },
    ]);
  });

  it('skips malformed lines of the Collector fixture and omits a line that is not there', () => {
    // Collector fixture; the Collector reports line 0 for the first frame, we leave line out.
    const stack = `TypeError: Cannot read property 'value' of null
    at speedy (/home/gbusey/file.js)
    at makeFaster (/home/gbusey/file.js:5:3)malformed123
    at Object.<anonymous> (/home/gbusey/file.js:10`;
    expect(frames(stack, 'javascript')).toEqual([{ label: 'speedy', path: '/home/gbusey/file.js' }]);
  });

  it('turns ES module file URLs into paths (beyond the collector: it reads "file" as the path)', () => {
    expect(frames('Error: x\n    at f (file:///x/y.mjs:1:2)', 'nodejs')).toEqual([{ label: 'f', path: '/x/y.mjs', line: 1 }]);
    expect(frames('Error: x\n    at file:///srv/app/main.mjs:14:7', 'nodejs')).toEqual([{ path: '/srv/app/main.mjs', line: 14 }]);
  });

  it('decodes percent escapes and Windows drive letters in file URLs', () => {
    expect(frames('Error: x\n    at f (file:///srv/my%20app/y.mjs:3:1)', 'nodejs')).toEqual([
      { label: 'f', path: '/srv/my app/y.mjs', line: 3 },
    ]);
    expect(frames('Error: x\n    at f (file:///C:/app/y.mjs:3:1)', 'nodejs')).toEqual([{ label: 'f', path: 'C:/app/y.mjs', line: 3 }]);
    // A malformed escape is kept as written rather than failing the frame.
    expect(frames('Error: x\n    at f (file:///srv/100%/y.mjs:3:1)', 'nodejs')).toEqual([
      { label: 'f', path: '/srv/100%/y.mjs', line: 3 },
    ]);
  });

  it('keeps `async` and `new` as V8 prints them (beyond the collector: no trailing space)', () => {
    const stack = `Error: boom
    at new Repository (/srv/app/repo.js:10:11)
    at async Promise.all (index 0)
    at async handler (/srv/app/handler.js:22:5)`;
    expect(frames(stack, 'nodejs')).toEqual([
      { label: 'new Repository', path: '/srv/app/repo.js', line: 10 },
      { label: 'async Promise.all' },
      { label: 'async handler', path: '/srv/app/handler.js', line: 22 },
    ]);
  });

  it('strips the `async` marker from frames without a function name, in ES modules and CommonJS (Node 20 output)', () => {
    // Printed by Node 20 for anonymous async arrow functions and top-level await.
    const esm = `Error: socket hang up
    at send (file:///tmp/app/index.mjs:1:46)
    at async Client.send (file:///tmp/app/index.mjs:2:38)
    at async file:///tmp/app/index.mjs:4:96
    at async Promise.all (index 0)
    at async handler (file:///tmp/app/index.mjs:4:43)
    at async file:///tmp/app/index.mjs:5:7`;
    expect(frames(esm, 'nodejs')).toEqual([
      { label: 'send', path: '/tmp/app/index.mjs', line: 1 },
      { label: 'async Client.send', path: '/tmp/app/index.mjs', line: 2 },
      { label: 'async', path: '/tmp/app/index.mjs', line: 4 },
      { label: 'async Promise.all' },
      { label: 'async handler', path: '/tmp/app/index.mjs', line: 4 },
      { label: 'async', path: '/tmp/app/index.mjs', line: 5 },
    ]);
    const cjs = `Error: socket hang up
    at send (/tmp/app/index.cjs:1:46)
    at async /tmp/app/node_modules/@smithy/middleware-retry/dist-cjs/index.js:118:5
    at async C:\\app\\index.js:2:22
    at async file:///C:/app/index.mjs:3:1`;
    expect(frames(cjs, 'nodejs')).toEqual([
      { label: 'send', path: '/tmp/app/index.cjs', line: 1 },
      { label: 'async', path: '/tmp/app/node_modules/@smithy/middleware-retry/dist-cjs/index.js', line: 118 },
      { label: 'async', path: 'C:\\app\\index.js', line: 2 },
      { label: 'async', path: 'C:/app/index.mjs', line: 3 },
    ]);
  });

  it('reads the other frame forms V8 prints: built-ins, generators, getters, wasm, `new`, stray spaces', () => {
    const stack = `Error: boom
    at Array.map (<anonymous>)
    at Generator.next (<anonymous>)
    at new Promise (<anonymous>)
    at async Promise.allSettled (index 2)
    at Order.get total [as sum] (file:///srv/order.mjs:7:3)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)
    at $add (wasm://wasm/0a1b2c3d:wasm-function[0]:0x2a)
    at   spaced  ( /srv/spaced.js:4:2 )
    at async  /srv/spaced.js:5:1`;
    expect(frames(stack, 'nodejs')).toEqual([
      { label: 'Array.map', path: '<anonymous>' },
      { label: 'Generator.next', path: '<anonymous>' },
      { label: 'new Promise', path: '<anonymous>' },
      { label: 'async Promise.allSettled' },
      { label: 'Order.get total [as sum]', path: '/srv/order.mjs', line: 7 },
      { label: 'process.processTicksAndRejections', path: 'node:internal/process/task_queues', line: 95 },
      { label: '$add', path: 'wasm://wasm/0a1b2c3d:wasm-function[0]:0x2a' },
      { label: 'spaced', path: '/srv/spaced.js', line: 4 },
      { label: 'async', path: '/srv/spaced.js', line: 5 },
    ]);
  });

  it('reads real async stacks printed by this Node: no path keeps the marker or a file URL', () => {
    // A child process: the test runner rewrites stacks in its own process.
    const program = `
      const fail = async () => { await null; throw new Error('real'); };
      const err = await (async () => { await null; return await fail(); })().catch((e) => e);
      console.log(err.stack);`;
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8' });
    const parsed = frames(esm, 'nodejs');
    expect(esm).toMatch(/^ {4}at async file:\/\//m);
    expect(parsed.filter((f) => f.path?.startsWith('async') || f.path?.startsWith('file:'))).toEqual([]);
    expect(parsed.filter((f) => f.label === 'async').length).toBeGreaterThan(0);
  });

  it('reads frames without a function name, node: internals and <anonymous>', () => {
    const stack = `Error: boom
    at /srv/app/index.js:5:9
    at node:internal/main/run_main_module:28:49
    at Module._compile (node:internal/modules/cjs/loader:1554:14)
    at <anonymous>`;
    expect(frames(stack, 'nodejs')).toEqual([
      { path: '/srv/app/index.js', line: 5 },
      { path: 'node:internal/main/run_main_module', line: 28 },
      { label: 'Module._compile', path: 'node:internal/modules/cjs/loader', line: 1554 },
      { path: '<anonymous>' },
    ]);
  });

  it('reads Windows paths, including parentheses in them (beyond the collector: it cuts at the drive colon)', () => {
    const stack = [
      'Error: boom',
      '    at f (C:\\x\\y.js:1:2)',
      '    at C:\\x\\z.js:3:4',
      '    at g (C:\\Program Files (x86)\\app\\main.js:7:8)',
    ].join('\r\n');
    expect(frames(stack, 'nodejs')).toEqual([
      { label: 'f', path: 'C:\\x\\y.js', line: 1 },
      { path: 'C:\\x\\z.js', line: 3 },
      { label: 'g', path: 'C:\\Program Files (x86)\\app\\main.js', line: 7 },
    ]);
  });

  it('points eval frames at the file and line where eval ran (beyond the collector)', () => {
    const stack = `Error: boom
    at eval (eval at f (/a.js:1:2), <anonymous>:1:1)
    at eval (eval at g (eval at f (/b.js:5:6), <anonymous>:3:4), <anonymous>:7:8)
    at Object.eval [as run] (eval at <anonymous> (file:///srv/c.mjs:9:1), <anonymous>:1:1)`;
    expect(frames(stack, 'nodejs')).toEqual([
      { label: 'eval', path: '/a.js', line: 1 },
      { label: 'eval', path: '/b.js', line: 5 },
      { label: 'Object.eval [as run]', path: '/srv/c.mjs', line: 9 },
    ]);
  });

  it('keeps Object.<anonymous> and [as alias] labels whole', () => {
    const stack = `Error: boom
    at Object.<anonymous> (/srv/app.js:1:1)
    at Timeout.handler [as _onTimeout] (/srv/timer.js:4:3)`;
    expect(frames(stack, 'nodejs')).toEqual([
      { label: 'Object.<anonymous>', path: '/srv/app.js', line: 1 },
      { label: 'Timeout.handler [as _onTimeout]', path: '/srv/timer.js', line: 4 },
    ]);
  });

  it('does not take message lines for frames', () => {
    const stack = `Error: three things failed
at least one of them twice
contact ops@example.com for help
    at run (/srv/app.js:1:1)`;
    expect(frames(stack, 'nodejs')).toEqual([{ label: 'run', path: '/srv/app.js', line: 1 }]);
  });

  it('reads browser stacks from Firefox and Safari (webjs)', () => {
    const stack = `handleClick@https://example.com/static/app.js:10:5
@https://example.com/static/app.js:20:1
global code@https://example.com/static/boot.js:1:1
promiseReactionJob@[native code]`;
    expect(frames(stack, 'webjs')).toEqual([
      { label: 'handleClick', path: 'https://example.com/static/app.js', line: 10 },
      { path: 'https://example.com/static/app.js', line: 20 },
      { label: 'global code', path: 'https://example.com/static/boot.js', line: 1 },
      { label: 'promiseReactionJob', path: 'native' },
    ]);
  });

  it('reads a real Error.stack from this process', () => {
    function thrower(): Error {
      return new Error('real');
    }
    const parsed = frames(thrower().stack ?? '', 'nodejs');
    expect(parsed[0]!.label).toBe('thrower');
    expect(parsed[0]!.path).toMatch(/stack-parsers\.test\.ts$/);
    expect(Number.isInteger(parsed[0]!.line)).toBe(true);
  });
});

describe('Java stacks', () => {
  const header = `java.lang.IllegalStateException: state is not legal
\tat io.opentelemetry.sdk.trace.RecordEventsReadableSpanTest.recordException(RecordEventsReadableSpanTest.java:626)
\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke(NativeMethodAccessorImpl.java:62)`;
  const topFrames: StackFrame[] = [
    { label: 'io.opentelemetry.sdk.trace.RecordEventsReadableSpanTest.recordException', path: 'RecordEventsReadableSpanTest.java', line: 626 },
    { label: 'jdk.internal.reflect.NativeMethodAccessorImpl.invoke0', path: 'Native Method' },
    { label: 'jdk.internal.reflect.NativeMethodAccessorImpl.invoke', path: 'NativeMethodAccessorImpl.java', line: 62 },
  ];

  it('reads frames, drops the module prefix and keeps "Native Method" as the path (Collector fixture)', () => {
    expect(parse(header, 'java')).toEqual({ frames: topFrames });
  });

  it('turns a `Caused by:` without frames into a cause (Collector fixture)', () => {
    expect(parse(`${header}\nCaused by: java.lang.IllegalArgumentException: bad argument`, 'java')).toEqual({
      frames: topFrames,
      causes: [{ type: 'java.lang.IllegalArgumentException', message: 'bad argument', frames: [] }],
    });
  });

  it('reads a cause without a message (Collector fixture)', () => {
    expect(parse(`${header}\nCaused by: java.lang.IllegalArgumentException`, 'java').causes).toEqual([
      { type: 'java.lang.IllegalArgumentException', frames: [] },
    ]);
  });

  it("gives a cause its own frames; a frame without a line number has none (Collector fixture)", () => {
    const stack = `${header}
Caused by: java.lang.IllegalArgumentException: bad argument
\tat org.junit.platform.engine.support.hierarchical.ThrowableCollector.execute(ThrowableCollector.java:73)
\tat org.junit.platform.engine.support.hierarchical.NodeTestTask.executeRecursively(NodeTestTask.java)`;
    expect(parse(stack, 'java').causes).toEqual([
      {
        type: 'java.lang.IllegalArgumentException',
        message: 'bad argument',
        frames: [
          { label: 'org.junit.platform.engine.support.hierarchical.ThrowableCollector.execute', path: 'ThrowableCollector.java', line: 73 },
          { label: 'org.junit.platform.engine.support.hierarchical.NodeTestTask.executeRecursively', path: 'NodeTestTask.java' },
        ],
      },
    ]);
  });

  it('skips malformed frames and Suppressed blocks, and counts "... n more" as truncated (Collector fixture)', () => {
    const stack = `${header}
\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke(NativeMethodAccessorImpl.java:62)afaefaef
\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke
\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke(NativeMethodAccessorImpl.java:62
\tat java.base/java.util.ArrayList.forEach(ArrayList.java:)
\tSuppressed: Resource$CloseFailException: Resource ID = 2
\t\tat Resource.close(Resource.java:26)\t
\t\tat Foo3.main(Foo3.java:5)
\tSuppressed: Resource$CloseFailException: Resource ID = 1
\t\tat Resource.close(Resource.java:26)
\t\tat Foo3.main(Foo3.java:5)
Caused by: java.lang.IllegalArgumentException: bad argument
\tat org.junit.platform.engine.support.hierarchical.ThrowableCollector.execute(ThrowableCollector.java:73)
\tat org.junit.platform.engine.support.hierarchical.NodeTestTask.executeRecursively(NodeTestTask.java)
\t... 99 more`;
    const parsed = parse(stack, 'java');
    expect(parsed.frames).toEqual([...topFrames, { label: 'java.util.ArrayList.forEach', path: 'ArrayList.java' }]);
    expect(parsed.truncated).toBeUndefined();
    expect(parsed.causes).toHaveLength(1);
    expect(parsed.causes![0]!.frames).toHaveLength(2);
    expect(parsed.causes![0]!.truncated).toBe(99);
  });

  it('skips the causes of suppressed exceptions too', () => {
    const stack = `java.io.IOException: close failed
\tat App.main(App.java:3)
\tSuppressed: java.lang.RuntimeException: inner
\t\tat App.close(App.java:9)
\tCaused by: java.lang.Error: deep
\t\tat App.deep(App.java:11)
Caused by: java.net.ConnectException: Connection refused: connect
\tat App.connect(App.java:20)`;
    expect(parse(stack, 'java')).toEqual({
      frames: [{ label: 'App.main', path: 'App.java', line: 3 }],
      causes: [
        { type: 'java.net.ConnectException', message: 'Connection refused: connect', frames: [{ label: 'App.connect', path: 'App.java', line: 20 }] },
      ],
    });
  });

  it('reads a chain of causes in order, with their omitted frames (Collector PHP fixture)', () => {
    const stack = `Exception: Thrown from class C
\tat C.exc(test.php:74)
\tat main(test.php:89)
Caused by: Exception: Thrown from class B
\tat B.exc(test.php:59)
\tat C.exc(test.php:71)
\t... 3 more
Caused by: Exception: Thrown from class A
\tat A.exc(test.php:48)
\tat B.exc(test.php:56)
\t... 4 more`;
    expect(parse(stack, 'php')).toEqual({
      frames: [
        { label: 'C.exc', path: 'test.php', line: 74 },
        { label: 'main', path: 'test.php', line: 89 },
      ],
      causes: [
        {
          type: 'Exception',
          message: 'Thrown from class B',
          frames: [
            { label: 'B.exc', path: 'test.php', line: 59 },
            { label: 'C.exc', path: 'test.php', line: 71 },
          ],
          truncated: 3,
        },
        {
          type: 'Exception',
          message: 'Thrown from class A',
          frames: [
            { label: 'A.exc', path: 'test.php', line: 48 },
            { label: 'B.exc', path: 'test.php', line: 56 },
          ],
          truncated: 4,
        },
      ],
    });
  });

  it('drops malformed PHP frames (Collector fixture)', () => {
    const stack = `Exception: Thrown from class B
\tat B.exc(test.php:59)
\tat fail(test.php:81 malformed
\tat main(test.php:89)`;
    expect(frames(stack, 'php')).toEqual([
      { label: 'B.exc', path: 'test.php', line: 59 },
      { label: 'main', path: 'test.php', line: 89 },
    ]);
  });

  it('reads logback output: jar suffixes, "common frames omitted", class loader prefixes, Unknown Source', () => {
    const stack = `org.springframework.web.client.ResourceAccessException: I/O error
\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:785) ~[spring-web-5.3.9.jar:5.3.9]
\tat app//com.example.Client.call(Client.java:40) [app.jar:na]
\tat com.example.Generated$$Proxy.call(Unknown Source)
\tat com.example.Worker.lambda$run$0(Worker.java:17)
Caused by: java.net.SocketTimeoutException: Read timed out
\tat java.base/java.net.SocketInputStream.socketRead0(Native Method) ~[na:na]
\t... 12 common frames omitted`;
    expect(parse(stack, 'java')).toEqual({
      frames: [
        { label: 'org.springframework.web.client.RestTemplate.doExecute', path: 'RestTemplate.java', line: 785 },
        { label: 'com.example.Client.call', path: 'Client.java', line: 40 },
        { label: 'com.example.Generated$$Proxy.call', path: 'Unknown Source' },
        { label: 'com.example.Worker.lambda$run$0', path: 'Worker.java', line: 17 },
      ],
      causes: [
        {
          type: 'java.net.SocketTimeoutException',
          message: 'Read timed out',
          frames: [{ label: 'java.net.SocketInputStream.socketRead0', path: 'Native Method' }],
          truncated: 12,
        },
      ],
    });
  });

  it('keeps the lines of a multi-line cause message (the Collector runs them together)', () => {
    const stack = `java.lang.RuntimeException: outer
\tat A.a(A.java:1)
Caused by: java.sql.SQLException: first line
second line
\tat B.b(B.java:2)`;
    expect(parse(stack, 'java').causes).toEqual([
      { type: 'java.sql.SQLException', message: 'first line\nsecond line', frames: [{ label: 'B.b', path: 'B.java', line: 2 }] },
    ]);
  });
});

describe('Python tracebacks', () => {
  it('puts the most recent call first, as the Collector does and as every other language reads (Collector fixture)', () => {
    // Python prints the most recent call last; X-Ray's top frame should be where it failed.
    const stack = `Traceback (most recent call last):
  File "main.py", line 14, in <module>
    greet_many(['Chad', 'Dan', 1])
  File "greetings.py", line 12, in greet_many
    print('hi, ' + person)
TypeError: must be str, not int`;
    expect(parse(stack, 'python')).toEqual({
      frames: [
        { path: 'greetings.py', line: 12, label: 'greet_many' },
        { path: 'main.py', line: 14, label: '<module>' },
      ],
    });
  });

  it('turns "During handling of the above exception" into a cause (Collector fixture)', () => {
    const stack = `Traceback (most recent call last):
  File "bar.py", line 10, in greet_many
    greet(person)
  File "foo.py", line 5, in greet
    print(greeting + ', ' + who_to_greet(someone))
ValueError: bad value

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "main.py", line 14, in <module>
    greet_many(['Chad', 'Dan', 1])
  File "greetings.py", line 12, in greet_many
    print('hi, ' + person)
TypeError: must be str, not int`;
    expect(parse(stack, 'python')).toEqual({
      frames: [
        { path: 'greetings.py', line: 12, label: 'greet_many' },
        { path: 'main.py', line: 14, label: '<module>' },
      ],
      causes: [
        {
          type: 'ValueError',
          message: 'bad value',
          frames: [
            { path: 'foo.py', line: 5, label: 'greet' },
            { path: 'bar.py', line: 10, label: 'greet_many' },
          ],
        },
      ],
    });
  });

  it('keeps a multi-line cause message (Collector fixture)', () => {
    const stack = `Traceback (most recent call last):
  File "bar.py", line 10, in greet_many
    greet(person)
  File "foo.py", line 5, in greet
    print(greeting + ', ' + who_to_greet(someone))
ValueError: bad value
with more on
new lines

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "main.py", line 14, in <module>
    greet_many(['Chad', 'Dan', 1])
TypeError: must be str, not int`;
    expect(parse(stack, 'python').causes![0]!.message).toBe('bad value\nwith more on\nnew lines');
  });

  it('reads "raise … from …" chains, nearest cause first', () => {
    const stack = `Traceback (most recent call last):
  File "/srv/db.py", line 3, in connect
    raise OSError("refused")
OSError: refused

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/srv/repo.py", line 8, in load
    raise LookupError("no row")
LookupError: no row

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/srv/app.py", line 20, in handler
    raise app.errors.HandlerError("failed")
app.errors.HandlerError: failed`;
    const parsed = parse(stack, 'python');
    expect(parsed.frames).toEqual([{ path: '/srv/app.py', line: 20, label: 'handler' }]);
    expect(parsed.causes).toEqual([
      { type: 'LookupError', message: 'no row', frames: [{ path: '/srv/repo.py', line: 8, label: 'load' }] },
      { type: 'OSError', message: 'refused', frames: [{ path: '/srv/db.py', line: 3, label: 'connect' }] },
    ]);
  });

  it('reads frames leniently where the Collector drops or blanks them (Collector fixture)', () => {
    const stack = `Traceback (most recent call last):
  File "main.py", line 14 in <module>
    greet_many(['Chad', 'Dan', 1])
  File "main.py", lin 14, in <module>
    greet_many(['Chad', 'Dan', 1])
  File "main.py", line 14, fin <module>
    greet_many(['Chad', 'Dan', 1])
  File "greetings.py", line 12, in greet_many
    print('hi, ' + person)
TypeError: must be str, not int`;
    expect(frames(stack, 'python')).toEqual([
      { path: 'greetings.py', line: 12, label: 'greet_many' },
      { path: 'main.py', line: 14 },
      { path: 'main.py', label: '<module>' },
      // The Collector drops this one for its missing comma.
      { path: 'main.py', line: 14, label: '<module>' },
    ]);
  });

  it('keeps a cause without frames, and a cause line without a type as its message (Collector fixtures, beyond the collector)', () => {
    const noFrames = `Traceback (most recent call last):
ValueError: bad value

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "main.py", line 14, in <module>
    greet_many(['Chad', 'Dan', 1])
TypeError: must be str, not int`;
    expect(parse(noFrames, 'python').causes).toEqual([{ type: 'ValueError', message: 'bad value', frames: [] }]);

    const noColon = noFrames.replace('Traceback (most recent call last):\nValueError: bad value', 'Traceback (most recent call last):\n  File "foo.py", line 5, in greet\n    x()\nValueError bad value');
    expect(parse(noColon, 'python').causes).toEqual([{ message: 'ValueError bad value', frames: [{ path: 'foo.py', line: 5, label: 'greet' }] }]);
  });

  it('skips 3.11+ position markers and reads frames without a function', () => {
    const stack = `Traceback (most recent call last):
  File "/srv/app.py", line 7, in run
    total = price * qty
            ~~~~~~^~~~~
  File "/srv/broken.py", line 2
    def f(:
          ^
SyntaxError: invalid syntax`;
    expect(frames(stack, 'python')).toEqual([
      { path: '/srv/broken.py', line: 2 },
      { path: '/srv/app.py', line: 7, label: 'run' },
    ]);
  });
});

describe('.NET stacks', () => {
  it('reads frames with and without source (Collector fixture)', () => {
    const stack = `System.FormatException: Input string was not in a correct format.
\tat System.Number.ThrowOverflowOrFormatException(ParsingStatus status, TypeCode type)
\tat System.Number.ParseInt32(ReadOnlySpan1 value, NumberStyles styles, NumberFormatInfo info)
\tat System.Int32.Parse(String s)
\tat MyNamespace.IntParser.Parse(String s) in C:\\apps\\MyNamespace\\IntParser.cs:line 11
\tat MyNamespace.Program.Main(String[] args) in C:\\apps\\MyNamespace\\Program.cs:line 12`;
    expect(frames(stack, 'dotnet')).toEqual([
      { label: 'System.Number.ThrowOverflowOrFormatException(ParsingStatus status, TypeCode type)' },
      { label: 'System.Number.ParseInt32(ReadOnlySpan1 value, NumberStyles styles, NumberFormatInfo info)' },
      { label: 'System.Int32.Parse(String s)' },
      { label: 'MyNamespace.IntParser.Parse(String s)', path: 'C:\\apps\\MyNamespace\\IntParser.cs', line: 11 },
      { label: 'MyNamespace.Program.Main(String[] args)', path: 'C:\\apps\\MyNamespace\\Program.cs', line: 12 },
    ]);
  });

  it('reads an async ASP.NET Core stack across "End of stack trace from previous location" (Collector fixture)', () => {
    const stack = `System.Exception: test
\tat integration_test_app.Controllers.AppController.OutgoingHttp() in /Users/bhautip/Documents/otel-dotnet/aws-otel-dotnet/integration-test-app/integration-test-app/Controllers/AppController.cs:line 21
\tat lambda_method(Closure , Object , Object[] )
\tat Microsoft.Extensions.Internal.ObjectMethodExecutor.Execute(Object target, Object[] parameters)
\tat Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.SyncObjectResultExecutor.Execute(IActionResultTypeMapper mapper, ObjectMethodExecutor executor, Object controller, Object[] arguments)
\tat Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeActionMethodAsync>g__Logged|12_1(ControllerActionInvoker invoker)
\tat Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeNextActionFilterAsync>g__Awaited|10_0(ControllerActionInvoker invoker, Task lastTask, State next, Scope scope, Object state, Boolean isCompleted)
\tat Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.Rethrow(ActionExecutedContextSealed context)
\tat Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.Next(State& next, Scope& scope, Object& state, Boolean& isCompleted)
\tat Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.InvokeInnerFilterAsync()
\t--- End of stack trace from previous location where exception was thrown ---
\tat Microsoft.AspNetCore.Mvc.Infrastructure.ResourceInvoker.<InvokeFilterPipelineAsync>g__Awaited|19_0(ResourceInvoker invoker, Task lastTask, State next, Scope scope, Object state, Boolean isCompleted)
\tat Microsoft.AspNetCore.Mvc.Infrastructure.ResourceInvoker.<InvokeAsync>g__Logged|17_1(ResourceInvoker invoker)
\tat Microsoft.AspNetCore.Routing.EndpointMiddleware.<Invoke>g__AwaitRequestTask|6_0(Endpoint endpoint, Task requestTask, ILogger logger)
\tat Microsoft.AspNetCore.Authorization.AuthorizationMiddleware.Invoke(HttpContext context)
\tat Microsoft.AspNetCore.Diagnostics.DeveloperExceptionPageMiddleware.Invoke(HttpContext context)`;
    const parsed = parse(stack, 'dotnet');
    expect(parsed.frames).toHaveLength(14);
    expect(parsed.frames[0]).toEqual({
      label: 'integration_test_app.Controllers.AppController.OutgoingHttp()',
      path: '/Users/bhautip/Documents/otel-dotnet/aws-otel-dotnet/integration-test-app/integration-test-app/Controllers/AppController.cs',
      line: 21,
    });
    expect(parsed.frames[9]).toEqual({
      label:
        'Microsoft.AspNetCore.Mvc.Infrastructure.ResourceInvoker.<InvokeFilterPipelineAsync>g__Awaited|19_0(ResourceInvoker invoker, Task lastTask, State next, Scope scope, Object state, Boolean isCompleted)',
    });
    expect(parsed.causes).toBeUndefined();
  });

  it('drops a frame whose parameter list never closes, and text after the closing parenthesis (Collector fixture)', () => {
    const stack = `System.Exception: test
\tat integration_test_app.Controllers.AppController.OutgoingHttp() in /src/AppController.cs:line 21
\tat Microsoft.AspNetCore.Diagnostics.DeveloperExceptionPageMiddleware.Invoke(HttpContext context malformed
\tat System.Net.Http.HttpConnectionPool.ConnectAsync(HttpRequestMessage request, Boolean allowHttp2, CancellationToken cancellationToken) non-malformed`;
    expect(frames(stack, 'dotnet')).toEqual([
      { label: 'integration_test_app.Controllers.AppController.OutgoingHttp()', path: '/src/AppController.cs', line: 21 },
      { label: 'System.Net.Http.HttpConnectionPool.ConnectAsync(HttpRequestMessage request, Boolean allowHttp2, CancellationToken cancellationToken)' },
    ]);
  });

  it('gives inner exceptions their own frames (beyond the collector: it merges them into the outer stack)', () => {
    const stack = `System.ApplicationException: load failed
 ---> System.InvalidOperationException: no connection
 ---> System.Net.Sockets.SocketException (111): Connection refused
   at System.Net.Sockets.Socket.Connect(EndPoint remoteEP)
   --- End of inner exception stack trace ---
   at Db.Open() in /src/Db.cs:line 30
   --- End of inner exception stack trace ---
   at Repo.Load() in /src/Repo.cs:line 12
   at Program.Main() in /src/Program.cs:line 5`;
    expect(parse(stack, 'dotnet')).toEqual({
      frames: [
        { label: 'Repo.Load()', path: '/src/Repo.cs', line: 12 },
        { label: 'Program.Main()', path: '/src/Program.cs', line: 5 },
      ],
      causes: [
        { type: 'System.InvalidOperationException', message: 'no connection', frames: [{ label: 'Db.Open()', path: '/src/Db.cs', line: 30 }] },
        {
          message: 'System.Net.Sockets.SocketException (111): Connection refused',
          frames: [{ label: 'System.Net.Sockets.Socket.Connect(EndPoint remoteEP)' }],
        },
      ],
    });
  });

  it('reads .NET Framework inner exceptions on the first line, and Mono frames', () => {
    const stack = `System.Exception: outer ---> System.ArgumentNullException: Value cannot be null.
   at Lib.Check (System.String s) [0x0000b] in /src/Lib.cs:44
   --- End of inner exception stack trace ---
   at App.Run () [0x00010] in <filename unknown>:0`;
    expect(parse(stack, 'dotnet')).toEqual({
      frames: [{ label: 'App.Run ()', path: '<filename unknown>', line: 0 }],
      causes: [
        {
          type: 'System.ArgumentNullException',
          message: 'Value cannot be null.',
          frames: [{ label: 'Lib.Check (System.String s)', path: '/src/Lib.cs', line: 44 }],
        },
      ],
    });
  });

  it('does not repeat the inner exceptions AggregateException prints again after its trace', () => {
    const stack = `System.AggregateException: One or more errors occurred. (boom)
 ---> System.Exception: boom
   at Work.Do() in /src/Work.cs:line 3
   --- End of inner exception stack trace ---
   at Program.Main() in /src/Program.cs:line 9
---> (Inner Exception #0) System.Exception: boom
   at Work.Do() in /src/Work.cs:line 3<---`;
    const parsed = parse(stack, 'dotnet');
    expect(parsed.frames).toEqual([{ label: 'Program.Main()', path: '/src/Program.cs', line: 9 }]);
    expect(parsed.causes).toEqual([{ type: 'System.Exception', message: 'boom', frames: [{ label: 'Work.Do()', path: '/src/Work.cs', line: 3 }] }]);
  });

  it('keeps frames with the outer exception when the inner-exception markers do not pair up', () => {
    const stack = `System.Exception: outer
 ---> System.Exception: inner
   at A.B() in /src/A.cs:line 1
   at C.D() in /src/C.cs:line 2`;
    const parsed = parse(stack, 'dotnet');
    expect(parsed.frames).toHaveLength(2);
    expect(parsed.causes).toEqual([{ type: 'System.Exception', message: 'inner', frames: [] }]);
  });
});

describe('Go stacks', () => {
  it('reads runtime.Stack output without the argument words (Collector fixture)', () => {
    const stack = `goroutine 19 [running]:
go.opentelemetry.io/otel/sdk/trace.recordStackTrace(0x0, 0x0)
\totel-go-core/opentelemetry-go/sdk/trace/span.go:323 +0x9b
go.opentelemetry.io/otel/sdk/trace.(*span).RecordError(0xc0003a6000, 0x14a5f00, 0xc00038c000, 0xc000390140, 0x3, 0x4)
\totel-go-core/opentelemetry-go/sdk/trace/span.go:302 +0x3fc
go.opentelemetry.io/otel/sdk/trace.TestRecordErrorWithStackTrace(0xc000102900)
\totel-go-core/opentelemetry-go/sdk/trace/trace_test.go:1167 +0x3ef
testing.tRunner(0xc000102900, 0x1484410)
\t/usr/local/Cellar/go/1.16.3/libexec/src/testing/testing.go:1193 +0x1a3
created by testing.(*T).Run
\t/usr/local/Cellar/go/1.16.3/libexec/src/testing/testing.go:1238 +0x63c`;
    expect(frames(stack, 'go')).toEqual([
      { label: 'go.opentelemetry.io/otel/sdk/trace.recordStackTrace', path: 'otel-go-core/opentelemetry-go/sdk/trace/span.go', line: 323 },
      { label: 'go.opentelemetry.io/otel/sdk/trace.(*span).RecordError', path: 'otel-go-core/opentelemetry-go/sdk/trace/span.go', line: 302 },
      {
        label: 'go.opentelemetry.io/otel/sdk/trace.TestRecordErrorWithStackTrace',
        path: 'otel-go-core/opentelemetry-go/sdk/trace/trace_test.go',
        line: 1167,
      },
      { label: 'testing.tRunner', path: '/usr/local/Cellar/go/1.16.3/libexec/src/testing/testing.go', line: 1193 },
      { label: 'created by testing.(*T).Run', path: '/usr/local/Cellar/go/1.16.3/libexec/src/testing/testing.go', line: 1238 },
    ]);
  });

  it('reads a dump of several goroutines as one list (Collector fixture)', () => {
    const stack = `goroutine 19 [running]:
go.opentelemetry.io/otel/sdk/trace.recordStackTrace(0x0, 0x0)
\tDocuments/otel-go-core/opentelemetry-go/sdk/trace/span.go:318 +0x9b
go.opentelemetry.io/otel/sdk/trace.(*span).End(0xc000082300, 0xc0000a0040, 0x1, 0x1)
\tDocuments/otel-go-core/opentelemetry-go/sdk/trace/span.go:252 +0x4ee
panic(0x1414f00, 0xc0000a0050)
\t/usr/local/Cellar/go/1.16.3/libexec/src/runtime/panic.go:971 +0x4c7
go.opentelemetry.io/otel/sdk/trace.TestSpanCapturesPanicWithStackTrace.func1()
\tDocuments/otel-go-core/opentelemetry-go/sdk/trace/trace_test.go:1425 +0x225
github.com/stretchr/testify/assert.didPanic.func1(0xc0001ad0e8, 0xc0001ad0d7, 0xc0001ad0d8, 0xc00009e048)
\tgo/pkg/mod/github.com/stretchr/testify@v1.7.0/assert/assertions.go:1018 +0xb8
github.com/stretchr/testify/assert.didPanic(0xc00009e048, 0x14a5b00, 0x0, 0x0, 0x0, 0x0)
\tgo/pkg/mod/github.com/stretchr/testify@v1.7.0/assert/assertions.go:1020 +0x85
github.com/stretchr/testify/assert.PanicsWithError(0x14a5b60, 0xc000186600, 0x146e31c, 0xd, 0xc00009e048, 0x0, 0x0, 0x0, 0xc000038900)
\tgo/pkg/mod/github.com/stretchr/testify@v1.7.0/assert/assertions.go:1071 +0x10c
goroutine 26 [running]:
github.com/stretchr/testify/require.PanicsWithError(0x14a7328, 0xc000186600, 0x146e31c, 0xd, 0xc00009e048, 0x0, 0x0, 0x0)
\tgo/pkg/mod/github.com/stretchr/testify@v1.7.0/require/require.go:1607 +0x15e
go.opentelemetry.io/otel/sdk/trace.TestSpanCapturesPanicWithStackTrace(0xc000186600)
\tDocuments/otel-go-core/opentelemetry-go/sdk/trace/trace_test.go:1427 +0x33a
testing.tRunner(0xc000186600, 0x1484440)
\t/usr/local/Cellar/go/1.16.3/libexec/src/testing/testing.go:1193 +0x1a3
created by testing.(*T).Run
\t/usr/local/Cellar/go/1.16.3/libexec/src/testing/testing.go:1238 +0x63c`;
    const parsed = frames(stack, 'go');
    expect(parsed).toHaveLength(11);
    expect(parsed[2]).toEqual({ label: 'panic', path: '/usr/local/Cellar/go/1.16.3/libexec/src/runtime/panic.go', line: 971 });
    expect(parsed[7]).toEqual({
      label: 'github.com/stretchr/testify/require.PanicsWithError',
      path: 'go/pkg/mod/github.com/stretchr/testify@v1.7.0/require/require.go',
      line: 1607,
    });
    expect(parsed[10]!.label).toBe('created by testing.(*T).Run');
  });

  it('reads Go 1.21 "created by … in goroutine N", Windows paths and a panic header', () => {
    const stack = `panic: boom

goroutine 7 [running]:
main.(*Server).handle(0xc000010000, {0x1029a8, 0x3})
\tC:/src/app/server.go:42 +0x65
created by main.main in goroutine 1
\tC:/src/app/main.go:12 +0x8d
exit status 2`;
    expect(frames(stack, 'go')).toEqual([
      { label: 'main.(*Server).handle', path: 'C:/src/app/server.go', line: 42 },
      { label: 'created by main.main', path: 'C:/src/app/main.go', line: 12 },
    ]);
  });
});

describe('limits', () => {
  const jsStack = (n: number) => ['Error: deep', ...Array.from({ length: n }, (_, i) => `    at f${i} (/srv/app.js:${i + 1}:1)`)].join('\n');

  it(`keeps ${MAX_STACK_FRAMES} frames, the ones nearest the error, and counts the rest in truncated`, () => {
    const parsed = parse(jsStack(60), 'nodejs');
    expect(parsed.frames).toHaveLength(MAX_STACK_FRAMES);
    expect(parsed.frames[0]).toEqual({ label: 'f0', path: '/srv/app.js', line: 1 });
    expect(parsed.truncated).toBe(10);
    expect(parse(jsStack(50), 'nodejs').truncated).toBeUndefined();
  });

  it('adds frames the trace itself omitted to truncated', () => {
    const stack = ['java.lang.Error: x', ...Array.from({ length: 55 }, (_, i) => `\tat A.m${i}(A.java:${i + 1})`), '\t... 7 more'].join('\n');
    const parsed = parse(stack, 'java');
    expect(parsed.frames).toHaveLength(50);
    expect(parsed.truncated).toBe(12);
  });

  it('keeps the most recent Python calls, which Python prints last', () => {
    const stack = [
      'Traceback (most recent call last):',
      ...Array.from({ length: 60 }, (_, i) => `  File "/srv/app.py", line ${i + 1}, in f${i}\n    f${i + 1}()`),
      'RecursionError: maximum recursion depth exceeded',
    ].join('\n');
    const parsed = parse(stack, 'python');
    expect(parsed.frames).toHaveLength(50);
    expect(parsed.frames[0]).toEqual({ path: '/srv/app.py', line: 60, label: 'f59' });
    expect(parsed.truncated).toBe(10);
  });

  it(`keeps the first causes and the root cause of a chain longer than ${MAX_CAUSES}, counting the skipped ones`, () => {
    const stack = ['java.lang.Error: top', '\tat A.a(A.java:1)', ...Array.from({ length: 15 }, (_, i) => `Caused by: java.lang.Error: c${i}\n\tat A.c${i}(A.java:${i})`)].join('\n');
    const causes = parse(stack, 'java').causes!;
    expect(causes).toHaveLength(MAX_CAUSES);
    expect(causes.slice(0, 9).map((c) => c.message)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8']);
    expect(causes[9]).toMatchObject({ message: 'c14', skipped: 5 });
  });

  it('drops a line number that is not a safe integer instead of emitting an invalid one', () => {
    expect(frames('Error: x\n    at f (/a.js:99999999999999999999:1)', 'nodejs')).toEqual([{ label: 'f', path: '/a.js' }]);
  });
});

describe('splitHeader', () => {
  it.each([
    ['java.lang.IllegalStateException: state is not legal', { type: 'java.lang.IllegalStateException', message: 'state is not legal' }],
    ['KeyboardInterrupt', { type: 'KeyboardInterrupt' }],
    ['App\\Exceptions\\NotFound: missing', { type: 'App\\Exceptions\\NotFound', message: 'missing' }],
    ['System.Collections.Generic.KeyNotFoundException: The given key was not present.', { type: 'System.Collections.Generic.KeyNotFoundException', message: 'The given key was not present.' }],
    ['something went wrong: badly', { message: 'something went wrong: badly' }],
    ['   ', {}],
  ])('%j', (header, expected) => {
    expect(splitHeader(header)).toEqual(expected);
  });
});

describe('garbage never breaks a parser', () => {
  const languages = ['nodejs', 'java', 'python', 'dotnet', 'go', 'constructor', undefined] as const;
  const direct = [parseJavaScriptStack, parseJavaStack, parsePythonStack, parseDotnetStack, parseGoStack];

  const fragment = fc.constantFrom(
    'at ', '    at ', '\tat ', '(', ')', ':', '::', '1', '42', '0x1f', ' +0x9b', 'File "', '", line ', ', in ', 'line ',
    ' in ', ':line ', 'Caused by: ', 'Suppressed: ', '... 3 more', 'goroutine 1 [running]:', ' ---> ',
    '--- End of inner exception stack trace ---', 'During handling of the above exception, another exception occurred:',
    'eval at ', 'file://', 'file:///C:/', '%', '%zz', '@', '[native code]', '<anonymous>', 'native', ' ', '\t', '/', '\\',
    'C:\\', 'Traceback (most recent call last):', 'Error: x', 'index 0', '~[a.jar:1]', '\u2028', '\r', '9'.repeat(30),
  );
  const junkLine = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(''));
  const junkStack = fc.oneof(
    fc.string({ maxLength: 400 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.array(junkLine, { maxLength: 80 }).map((lines) => lines.join('\n')),
  );

  it('parseStack: no throw, at most 50 frames per exception, every frame schema-valid', () => {
    fc.assert(
      fc.property(junkStack, fc.constantFrom(...languages), (stack, language) => {
        const parsed = parseStack(stack, language);
        expect(parsed.frames.length).toBeLessThanOrEqual(MAX_STACK_FRAMES);
        expect(parsed.causes?.length ?? 0).toBeLessThanOrEqual(MAX_CAUSES);
        for (const c of parsed.causes ?? []) expect(c.frames.length).toBeLessThanOrEqual(MAX_STACK_FRAMES);
        for (const f of [...parsed.frames, ...(parsed.causes ?? []).flatMap((c) => c.frames)]) {
          if (f.line !== undefined) expect(Number.isSafeInteger(f.line)).toBe(true);
        }
        expectSchemaValid(parsed);
      }),
      { numRuns: 400 },
    );
  });

  it('each parser on its own: no throw on any input', () => {
    fc.assert(
      fc.property(junkStack, (stack) => {
        for (const p of direct) p(stack);
      }),
      { numRuns: 400 },
    );
  });

  // No timing assertion: a backtracking regex on these lines runs for minutes, so the test
  // timeout is what catches it.
  it('gets through long adversarial lines (no catastrophic backtracking)', { timeout: 20_000 }, () => {
    const long = [
      'at ' + ' '.repeat(100_000) + 'x',
      '  File "' + '", '.repeat(30_000) + '\u2028',
      '  File "a", ' + ' in'.repeat(30_000) + '\u2028',
      '\t' + 'a:1 '.repeat(30_000),
      '   at ' + 'A() in '.repeat(20_000),
      'eval at ' + '('.repeat(50_000),
      ':1'.repeat(50_000) + 'x',
      '    at f (' + ')'.repeat(50_000),
    ];
    for (const line of long) {
      for (const language of languages) {
        const { frames } = parseStack(line, language);
        expect(frames.length).toBeLessThanOrEqual(50);
      }
    }
  });
});
