import type { Logger } from '../logger.js';

/**
 * What a recorder over the global tracer provider runs before its first span: the package's entry
 * point installs the X-Ray pipeline's first-use registration here (setup/auto.ts), which the
 * recorder cannot import itself (imports point from setup to the recorder).
 */
export type PipelineHook = (logger: Logger) => void;

let hook: PipelineHook | undefined;

export function setPipelineHook(next: PipelineHook | undefined): void {
  hook = next;
}

export function runPipelineHook(logger: Logger): void {
  hook?.(logger);
}
