// The `xray-otel-bridge/local-daemon` entry: the development stand-in for the X-Ray daemon
// (validator, trace assembler, viewer). Kept off the main entry so that production code that
// imports the exporter or the recorder does not load it.
export { startLocalDaemon, ListenError } from './server.js';
export { HttpAddressError, SamplingRulesError } from '../common/errors.js';
export type { LocalDaemon, LocalDaemonOptions, LocalDaemonAddress, LocalDaemonStats, LocalDaemonEvents, DatagramEvent } from './server.js';
export { renderTrace } from './render-tree.js';
export type { RenderOptions } from './render-tree.js';
export type { AssembledTrace, TraceNode } from './traces.js';
export type { DatagramReport, Verdict } from './validate.js';
export type { SamplingService, SamplingSnapshot, RuleCounts } from './sampling-service.js';
export type { SamplingRule } from './sampling.js';
