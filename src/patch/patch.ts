import { createRequire, isBuiltin } from 'node:module';
import { join, sep } from 'node:path';
import type { TracerProvider } from '@opentelemetry/api';
import type { Logger } from '../logger.js';
import { errorMessage } from '../common/values.js';
import { esmLoaderRegistered } from './loader-flag.js';
import { hasPatched, liveModuleDefinitions } from './module-definitions.js';
import { knownNames, resolveName, TARGETS, type PatchTarget } from './registry.js';

/** What `patch()` takes: one name, several, or `'all'` (what `patch_all()` does). */
export type PatchRequest = string | readonly string[] | 'all';

export interface PatchContext {
  /** Where the instrumentations make spans; default: the global tracer provider. */
  tracerProvider?: TracerProvider;
  /** Where warnings go. */
  logger: Logger;
}

export interface PatchResult {
  /** The Node targets (`aws-sdk`, `http`, `fetch`, `pg`, …) traced after this call, newly or before. */
  patched: string[];
  /** Names that trace nothing, each with the reason that was logged. */
  skipped: Array<{ name: string; reason: string }>;
}

/** The part of an OpenTelemetry `Instrumentation` used here (the package is an optional peer). */
interface InstrumentationLike {
  setTracerProvider(provider: TracerProvider): void;
  setConfig(config: Record<string, unknown>): void;
  enable(): void;
  disable(): void;
}
type InstrumentationClass = new (config: Record<string, unknown>) => InstrumentationLike;

interface Active {
  readonly instrumentation: InstrumentationLike;
  enabled: boolean;
  provider: TracerProvider | undefined;
  /** Configuration another target needs on top of this one's own (`PatchTarget.needs`). */
  needed: Readonly<Record<string, unknown>> | undefined;
}

interface PatchState {
  readonly active: Map<string, Active>;
  /** Warnings already given: each is given once per process. */
  readonly warned: Set<string>;
}

// One state per process, shared by the ESM and CJS copies of this package: two instances of one
// instrumentation would trace every call twice.
const STATE_KEY = Symbol.for('xray-otel-bridge.patch');
type GlobalWithState = typeof globalThis & { [STATE_KEY]?: PatchState };

function state(): PatchState {
  const g = globalThis as GlobalWithState;
  return (g[STATE_KEY] ??= { active: new Map(), warned: new Set() });
}

/**
 * Resolves packages from the application (its working directory) first, then from this package,
 * where npm puts optional peer dependencies.
 */
const requireFromApp = createRequire(join(process.cwd(), 'noop.js'));
const requireFromHere = createRequire(import.meta.url);

function load(id: string): unknown {
  try {
    return requireFromApp(id) as unknown;
  } catch (err) {
    if (!isNotFound(err, id)) throw err;
    return requireFromHere(id) as unknown;
  }
}

function resolvable(id: string): boolean {
  for (const req of [requireFromApp, requireFromHere]) {
    try {
      req.resolve(id);
      return true;
    } catch {
      // Not installed where this one looks.
    }
  }
  return false;
}

function isNotFound(err: unknown, id: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e !== null && typeof e === 'object' && e.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${id}'`);
}

/** Whether the application uses the target's library (built into Node, or installed). */
function libraryInstalled(target: PatchTarget): boolean {
  return target.libraries.length === 0 || target.libraries.some(resolvable);
}

/** The target's libraries that are already in the CommonJS module cache. */
function loadedLibraries(target: PatchTarget): string[] {
  const cache = requireFromHere.cache;
  const paths = Object.keys(cache);
  return target.libraries.filter((lib) => {
    if (isBuiltin(lib)) return false;
    const marker = `${sep}node_modules${sep}${lib.split('/').join(sep)}${sep}`;
    return paths.some((p) => p.includes(marker));
  });
}

function warnOnce(ctx: PatchContext, key: string, message: string): void {
  const { warned } = state();
  if (warned.has(key)) return;
  warned.add(key);
  ctx.logger.warn(message);
}

/**
 * X-Ray's `patch(modules)`: each name registers the OpenTelemetry instrumentation of that library
 * (see `registry.ts`), so clients loaded afterwards make subsegments under the current segment.
 * Never throws: a name that traces nothing is reported once through the logger and in the result.
 */
export function patchModules(request: PatchRequest | unknown, ctx: PatchContext): PatchResult {
  const result: PatchResult = { patched: [], skipped: [] };
  if (request === 'all') return patchAll(ctx);
  const names = typeof request === 'string' ? [request] : Array.isArray(request) ? (request as unknown[]) : undefined;
  if (names === undefined) {
    skip(ctx, result, String(request), 'patch() takes a module name, a list of names, or "all"');
    return result;
  }
  for (const name of names) {
    if (typeof name !== 'string') {
      skip(ctx, result, String(name), `patch(): ${String(name)} is not a module name; ignored`);
      continue;
    }
    const resolved = resolveName(name);
    if ('unknown' in resolved) {
      skip(ctx, result, name, `patch('${name}'): unknown module; patch() knows ${knownNames().join(', ')}`);
      continue;
    }
    if ('unsupported' in resolved) {
      skip(ctx, result, name, `patch('${name}'): ${resolved.unsupported}`);
      continue;
    }
    let targets = resolved.targets;
    if (resolved.expanded) {
      // A name standing for several libraries patches those the application has.
      targets = targets.filter(libraryInstalled);
      const untraced = resolved.targets.filter((t) => !libraryInstalled(t) && skipUntraced(t, name, ctx, result));
      if (targets.length === 0 && untraced.length === 0) {
        const libs = resolved.targets.flatMap((t) => t.libraries).join(' or ');
        skip(ctx, result, name, `patch('${name}'): no ${libs} is installed, so there is nothing to trace`);
        continue;
      }
    }
    for (const target of targets) enableTarget(target, name, ctx, result);
  }
  return result;
}

/** X-Ray's `patch_all()`: every target whose library the application has, but those patched only when named. */
export function patchAll(ctx: PatchContext): PatchResult {
  const result: PatchResult = { patched: [], skipped: [] };
  for (const target of TARGETS.values()) {
    if (target.onlyWhenNamed) continue;
    if (libraryInstalled(target)) enableTarget(target, target.name, ctx, result);
    else skipUntraced(target, target.name, ctx, result);
  }
  return result;
}

/** The target's `untraced` libraries the application has installed. */
function untracedInstalled(target: PatchTarget): NonNullable<PatchTarget['untraced']> {
  return (target.untraced ?? []).filter((u) => resolvable(u.library));
}

/**
 * A target whose library is absent while a version it cannot trace is installed (AWS SDK v2
 * alone) patches nothing: skipped with what to use instead. Returns whether it was.
 */
function skipUntraced(target: PatchTarget, asked: string, ctx: PatchContext, result: PatchResult): boolean {
  const [untraced] = untracedInstalled(target);
  if (untraced === undefined) return false;
  skip(ctx, result, asked, `patch('${asked}'): ${untraced.advice}`, `untraced:${untraced.library}`);
  return true;
}

/** Records a name that traces nothing; the warning is given once per `key` (default: the reason itself). */
function skip(ctx: PatchContext, result: PatchResult, name: string, reason: string, key = reason): void {
  result.skipped.push({ name, reason });
  warnOnce(ctx, key, reason);
}

function enableTarget(target: PatchTarget, asked: string, ctx: PatchContext, result: PatchResult, needed?: Readonly<Record<string, unknown>>): void {
  if (needed === undefined && !libraryInstalled(target) && skipUntraced(target, asked, ctx, result)) return;
  for (const u of untracedInstalled(target)) warnOnce(ctx, `untraced:${u.library}`, `patch('${asked}'): ${u.advice}`);
  if (target.needs !== undefined) {
    const dependency = TARGETS.get(target.needs.target)!;
    enableTarget(dependency, asked, ctx, result, target.needs.config);
  }

  const { active } = state();
  const existing = active.get(target.name);
  if (existing !== undefined) {
    try {
      // Patching twice is a no-op, as in the X-Ray SDKs; a different provider takes over.
      if (ctx.tracerProvider !== undefined && ctx.tracerProvider !== existing.provider) {
        existing.instrumentation.setTracerProvider(ctx.tracerProvider);
        existing.provider = ctx.tracerProvider;
      }
      if (needed !== undefined && existing.needed !== needed) reconfigure(target, existing, needed);
      if (!existing.enabled) {
        existing.instrumentation.enable();
        existing.enabled = true;
        warnLoadedBefore(target, asked, ctx, existing.instrumentation);
      }
    } catch (err) {
      skip(ctx, result, asked, `patch('${asked}'): ${target.instrumentation} failed to start (${errorMessage(err)})`);
      return;
    }
    if (!result.patched.includes(target.name)) result.patched.push(target.name);
    return;
  }

  let Instrumentation: InstrumentationClass;
  try {
    Instrumentation = instrumentationClass(target);
  } catch (err) {
    const reason = isNotFound(err, target.instrumentation)
      ? `patch('${asked}'): ${target.instrumentation} is not installed, so ${target.name} calls are not traced; run \`npm install ${target.instrumentation}@${target.versions}\``
      : `patch('${asked}'): ${target.instrumentation} could not be loaded (${errorMessage(err)})`;
    // Once per package, whichever name asked for it.
    skip(ctx, result, asked, reason, `missing:${target.instrumentation}`);
    return;
  }

  let instrumentation: InstrumentationLike;
  try {
    // Constructed enabled (some, like undici's, make no spans when constructed disabled); the
    // provider is set before any span can be made, as nothing runs in between.
    instrumentation = new Instrumentation({ ...target.config(), ...needed });
    target.setup?.(instrumentation);
    if (ctx.tracerProvider !== undefined) instrumentation.setTracerProvider(ctx.tracerProvider);
    active.set(target.name, { instrumentation, enabled: true, provider: ctx.tracerProvider, needed });
    result.patched.push(target.name);
  } catch (err) {
    skip(ctx, result, asked, `patch('${asked}'): ${target.instrumentation} failed to start (${errorMessage(err)})`);
    return;
  }
  warnLoadedBefore(target, asked, ctx, instrumentation);
}

/**
 * Gives an active instrumentation another configuration. Instrumentations read it when they
 * patch a module, so an enabled one is unpatched (under the configuration it patched with) and
 * patched again.
 */
function reconfigure(target: PatchTarget, entry: Active, needed: Readonly<Record<string, unknown>> | undefined): void {
  const { instrumentation } = entry;
  if (entry.enabled) instrumentation.disable();
  instrumentation.setConfig({ ...target.config(), ...needed });
  entry.needed = needed;
  if (entry.enabled) instrumentation.enable();
}

function instrumentationClass(target: PatchTarget): InstrumentationClass {
  const mod = load(target.instrumentation) as Record<string, unknown> | null;
  const cls = mod?.[target.className];
  if (typeof cls !== 'function') throw new Error(`it exports no ${target.className}`);
  return cls as InstrumentationClass;
}

/**
 * Warns about the target's libraries that were loaded before they were patched and stayed
 * unpatched. CommonJS modules already required are patched only when required again; ES modules
 * imported under the `xray-otel-bridge/register` loader are patched as the instrumentation is
 * enabled, which its module definitions record (`moduleExports`).
 */
function warnLoadedBefore(target: PatchTarget, asked: string, ctx: PatchContext, instrumentation: InstrumentationLike): void {
  const definitions = liveModuleDefinitions(instrumentation);
  const esmHint = esmLoaderRegistered()
    ? ''
    : '; ES module applications: start with `node --import xray-otel-bridge/register --import ./tracing.mjs app.mjs`, tracing.mjs calling patch()';
  for (const lib of loadedLibraries(target)) {
    if (definitions !== undefined && hasPatched(definitions, lib)) continue;
    warnOnce(
      ctx,
      `loaded:${lib}`,
      `patch('${asked}'): ${lib} was loaded before it was patched, so clients made from it so far may not be traced. ` +
        `Patch before the first require/import of ${lib}: call patch() or registerXRay({ patch }) first in the entry module${esmHint}`,
    );
  }
}

/**
 * Turns off what the given targets' instrumentations patched (for `registerXRay().shutdown()`).
 * A later `patch()` turns them on again.
 */
export function unpatchModules(targets: readonly string[]): void {
  const { active } = state();
  for (const name of targets) {
    const entry = active.get(name);
    if (entry === undefined || !entry.enabled) continue;
    try {
      entry.instrumentation.disable();
    } catch {
      // Nothing more to undo.
    }
    entry.enabled = false;
  }
  // What a target turned off needed from another is taken back (http's incoming requests).
  for (const name of targets) {
    const needs = TARGETS.get(name)?.needs;
    const dependency = needs === undefined ? undefined : active.get(needs.target);
    if (dependency?.needed === undefined) continue;
    try {
      reconfigure(TARGETS.get(needs!.target)!, dependency, undefined);
    } catch {
      // It keeps the configuration it had.
    }
  }
}

/** The Node targets patched right now. */
export function patchedModules(): string[] {
  return [...state().active].filter(([, a]) => a.enabled).map(([name]) => name);
}
