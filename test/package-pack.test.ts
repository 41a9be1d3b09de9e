import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectValidDocument } from './support/schema.js';

// What a user gets from `npm pack`, `npm publish` or a git install: a clean checkout (no dist/)
// goes through npm's own lifecycle, and the tarball must hold working code for require and import.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

/** What a clone does not have: installed and built things, local scratch. */
const NOT_IN_A_CLONE = new Set(['node_modules', 'dist', '.git', 'coverage', 'test-output', '.scratch']);

let work: string;
let tarballFiles: string[];
let app: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'package-pack-'));
  const checkout = join(work, 'checkout');
  cpSync(ROOT, checkout, {
    recursive: true,
    filter: (source) => {
      const top = relative(ROOT, source).split(/[\\/]/)[0] ?? '';
      return !NOT_IN_A_CLONE.has(top);
    },
  });
  // The tools a clone gets from `npm ci` (npm installs devDependencies for a git dependency too).
  symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'), 'dir');
  const out = join(work, 'out');
  mkdirSync(out);
  await run('npm', ['pack', '--pack-destination', out, '--no-audit', '--no-fund'], { cwd: checkout, env: { ...process.env, npm_config_loglevel: 'error' } });
  const tarball = join(out, `${pkg.name}-${pkg.version}.tgz`);
  const { stdout } = await run('tar', ['-tzf', tarball]);
  tarballFiles = stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));

  // A new application with the tarball installed, and the package's dependencies next to it.
  app = join(work, 'app');
  const installed = join(app, 'node_modules', pkg.name);
  mkdirSync(installed, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  for (const dep of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]) {
    const target = join(app, 'node_modules', dep);
    mkdirSync(join(target, '..'), { recursive: true });
    if (!existsSync(target)) symlinkSync(join(ROOT, 'node_modules', dep), target, 'dir');
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'an-app', private: true }));
}, 240_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** One segment with a subsegment, sent through registerXRay and the recorder: the whole public path. */
const APP_BODY = `
const { shutdown } = registerXRay({ serviceName: 'packed-app', ...OPTIONS });
const segment = xrayRecorder.beginSegment();
const sub = xrayRecorder.beginSubsegment('work');
sub.putAnnotation('format', FORMAT);
xrayRecorder.endSubsegment();
segment.close();
await shutdown();
`;

async function receiveFrom(script: string): Promise<unknown> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const received = new Promise<string>((resolve) => socket.once('message', (m) => resolve(m.toString('utf8'))));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${socket.address().port}` };
    delete env.AWS_LAMBDA_FUNCTION_NAME;
    delete env.LAMBDA_TASK_ROOT;
    const { stderr } = await run(process.execPath, [script], { cwd: app, env });
    expect(stderr).toBe('');
    const datagram = await received;
    const newline = datagram.indexOf('\n');
    expect(JSON.parse(datagram.slice(0, newline))).toEqual({ format: 'json', version: 1 });
    return JSON.parse(datagram.slice(newline + 1));
  } finally {
    socket.close();
  }
}

describe('npm pack from a clean checkout', () => {
  it('builds the code during packing and ships it with the schema and the typings', () => {
    for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/cli/main.js', 'schema/segment-document.schema.json', 'package.json', 'README.md']) {
      expect(tarballFiles, file).toContain(file);
    }
    expect(tarballFiles.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
  });

  it('ships the documents the README sends users to for the API (docs/)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const docs = [...readme.matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => m[1]!);
    expect(docs).toContain('docs/aws-xray-sdk-core.md');
    for (const doc of new Set(docs)) expect(tarballFiles, doc).toContain(doc);
  });

  it('installs into a CommonJS application that requires it and traces', async () => {
    const script = join(app, 'app.cjs');
    writeFileSync(script, `const { registerXRay, xrayRecorder } = require('${pkg.name}');\nconst FORMAT = 'cjs';\nconst OPTIONS = {};\n(async () => {${APP_BODY}})();\n`);
    const doc = await receiveFrom(script);
    expectValidDocument(doc);
    expect(doc).toMatchObject({ name: 'packed-app', subsegments: [{ name: 'work', annotations: { format: 'cjs' } }] });
  });

  it('installs into an ES module application that imports it and traces', async () => {
    const script = join(app, 'app.mjs');
    writeFileSync(script, `import { registerXRay, xrayRecorder } from '${pkg.name}';\nconst FORMAT = 'esm';\nconst OPTIONS = {};\n${APP_BODY}`);
    const doc = await receiveFrom(script);
    expectValidDocument(doc);
    expect(doc).toMatchObject({ name: 'packed-app', subsegments: [{ name: 'work', annotations: { format: 'esm' } }] });
  });

  it.each([
    ['a CommonJS', 'cjs', (body: string) => `const { registerXRay, xrayRecorder } = require('${pkg.name}');\n(async () => {${body}})();\n`],
    ['an ES module', 'mjs', (body: string) => `import { registerXRay, xrayRecorder } from '${pkg.name}';\n${body}`],
  ])("sends from its worker thread in %s application (sendFrom: 'worker-thread' finds the shipped xray-otel-bridge-udp-worker.mjs: no fallback warning)", async (_kind, ext, wrap) => {
    expect(tarballFiles).toContain('dist/xray-otel-bridge-udp-worker.mjs');
    const script = join(app, `worker-app.${ext}`);
    writeFileSync(script, wrap(`const FORMAT = 'worker-${ext}';\nconst OPTIONS = { sendFrom: 'worker-thread' };\n${APP_BODY}`));
    // receiveFrom checks that stderr, where the default logger would warn about a fallback, is empty.
    const doc = await receiveFrom(script);
    expectValidDocument(doc);
    expect(doc).toMatchObject({ name: 'packed-app', subsegments: [{ name: 'work', annotations: { format: `worker-${ext}` } }] });
  });

  it('gives a TypeScript project compiled to CommonJS (moduleResolution node10, which ignores "exports") the typings of every entry point', async () => {
    const exportsMap = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).exports as Record<string, { require?: { types?: string } }>;
    const typed = Object.keys(exportsMap).filter((k) => k !== '.' && exportsMap[k]!.require?.types !== undefined);
    expect(typed).toEqual(expect.arrayContaining(['./local-daemon', './aws-xray-sdk-core', './aws-xray-sdk-express', './aws-xray-sdk']));
    const dir = join(app, 'ts-commonjs');
    mkdirSync(dir, { recursive: true });
    const imports = typed.map((k, i) => `import entry${i} = require('${pkg.name}/${k.slice(2)}');\nvoid entry${i};`);
    writeFileSync(
      join(dir, 'app.ts'),
      [
        `import { xrayRecorder } from '${pkg.name}';`,
        `import AWSXRay = require('${pkg.name}/aws-xray-sdk-core');`,
        ...imports,
        // Typed, not any: a wrong argument must fail (the directive fails the build if it does not).
        `const n: number = AWSXRay.captureFunc('work', (sub) => { sub?.addAnnotation('k', 1); return 1; });`,
        `// @ts-expect-error captureFunc takes a function`,
        `AWSXRay.captureFunc('work', 1);`,
        `xrayRecorder.beginSegment('typed');`,
        `void n;`,
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'commonjs', moduleResolution: 'node10', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, esModuleInterop: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] },
        files: ['app.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', dir, '--pretty', 'false']).then(
      () => '',
      (err: { stdout?: string }) => err.stdout ?? String(err),
    );
    expect(result).toBe('');
  }, 120_000);

  it('ships a command-line tool that runs', async () => {
    const { stdout } = await run(process.execPath, [join(app, 'node_modules', pkg.name, 'dist', 'cli', 'main.js'), '--version']);
    expect(stdout.trim()).toContain(pkg.version);
  });
});
