/**
 * The part of an instrumentation's module definition read here (`@opentelemetry/instrumentation`
 * is not a dependency): the package it patches, its patch functions, and (`moduleExports`) the
 * exports it has received, which it sets as it patches them.
 */
export interface ModuleDefinition {
  readonly name?: unknown;
  readonly moduleExports?: unknown;
  readonly files?: ReadonlyArray<{ readonly moduleExports?: unknown }>;
  patch?: (exports: unknown, version?: string) => unknown;
  unpatch?: (exports?: unknown, version?: string) => void;
}

/**
 * The module definitions an instrumentation patches with. `getModuleDefinitions()` makes new
 * ones on every call, so these are the ones `InstrumentationBase` keeps (`_modules`) and hands to
 * its require and import hooks; undefined when an instrumentation has none there.
 */
export function liveModuleDefinitions(instrumentation: object): readonly ModuleDefinition[] | undefined {
  const modules = (instrumentation as { _modules?: unknown })._modules;
  return Array.isArray(modules) ? (modules as ModuleDefinition[]) : undefined;
}

/** Whether the instrumentation has patched the package `name` (its main module or one of its files). */
export function hasPatched(definitions: readonly ModuleDefinition[], name: string): boolean {
  return definitions.some(
    (d) => d !== null && typeof d === 'object' && d.name === name && (d.moduleExports !== undefined || (d.files ?? []).some((f) => f?.moduleExports !== undefined)),
  );
}
