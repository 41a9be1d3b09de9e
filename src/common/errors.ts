// Every error this library throws, in one family: `instanceof XRayBridgeError` catches them all,
// and `code` tells them apart without matching message text (the messages are for people and may
// be reworded).

/** The base of every error this library throws. */
export abstract class XRayBridgeError extends Error {
  /** A stable identifier for the kind of error (`ERR_XRAY_…`, or a system code for `ListenError`). */
  abstract readonly code: string;
}

/** A member of the family with a fixed code; `name` is spelled out so minifiers cannot change it. */
function kind<C extends string>(name: string, code: C) {
  return class extends XRayBridgeError {
    override readonly name = name;
    readonly code: C = code;
  };
}

/** `daemonAddress` or `AWS_XRAY_DAEMON_ADDRESS` is not an address the X-Ray SDKs accept. */
export class DaemonAddressError extends kind('DaemonAddressError', 'ERR_XRAY_DAEMON_ADDRESS') {}
/** What the X-Ray SDKs throw under the `RUNTIME_ERROR` context-missing strategy. */
export class SegmentNotFoundError extends kind('SegmentNotFoundError', 'ERR_XRAY_SEGMENT_NOT_FOUND') {}
/** An exporter option has a value it does not accept (the constructor throws it). */
export class ExporterOptionError extends kind('ExporterOptionError', 'ERR_XRAY_EXPORTER_OPTION') {}
/** Given to the export callback for spans exported after `shutdown()`. */
export class ExporterShutDownError extends kind('ExporterShutDownError', 'ERR_XRAY_EXPORTER_SHUT_DOWN') {}
/** The local daemon's `--http` address is not host:port, [IPv6]:port or a port. */
export class HttpAddressError extends kind('HttpAddressError', 'ERR_XRAY_HTTP_ADDRESS') {}
/** A `--sampling-rules` file cannot be read, is not JSON, or is not a rules document. */
export class SamplingRulesError extends kind('SamplingRulesError', 'ERR_XRAY_SAMPLING_RULES') {}
/** The command line is not one the CLI understands. */
export class UsageError extends kind('UsageError', 'ERR_XRAY_USAGE') {}

/**
 * The local daemon could not listen or open its output file. `code` is the system's code when
 * there is one (`EADDRINUSE`, `EADDRNOTAVAIL`, `EACCES`, `ENOTFOUND`, …), so callers can say what
 * to do about it; otherwise `ERR_XRAY_LISTEN`.
 */
export class ListenError extends XRayBridgeError {
  override readonly name = 'ListenError';
  readonly code: string;

  constructor(message: string, systemCode: string | undefined, options?: ErrorOptions) {
    super(message, options);
    this.code = systemCode ?? 'ERR_XRAY_LISTEN';
  }
}
