import type { Logger } from '../logger.js';

/**
 * What a recorder over the global tracer provider runs before its first span: the package's entry
 * point installs the X-Ray pipeline's first-use registration here (setup/auto.ts), which the
 * recorder cannot import itself (imports point from setup to the recorder).
 */
export type PipelineHook = (logger: Logger) => void;

let hook: PipelineHook | undefined;
let daemonAddress: string | undefined;

export function setPipelineHook(next: PipelineHook | undefined): void {
  hook = next;
}

export function runPipelineHook(logger: Logger): void {
  hook?.(logger);
}

/**
 * `configure({ daemon_address })`: where the pipeline registered at first use sends, unless the
 * drop-in's `setDaemonAddress` or `AWS_XRAY_DAEMON_ADDRESS` says otherwise. setup/auto.ts reads it
 * (and checks it) when it registers; `undefined` forgets it.
 */
export function requestDaemonAddress(address: string | undefined): void {
  daemonAddress = address;
}

export function requestedDaemonAddress(): string | undefined {
  return daemonAddress;
}
