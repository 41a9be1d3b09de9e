import { randomBytes } from 'node:crypto';
import { runtime } from './runtime.js';

/** The SDK's `TraceID`: `1-<8 hex epoch seconds>-<24 hex>`. */
export class TraceID {
  version = 1;
  timestamp: string;
  id: string;

  constructor(tsHex?: string, numberHex?: string) {
    this.timestamp = tsHex || Math.round(Date.now() / 1000).toString(16);
    this.id = numberHex || randomBytes(12).toString('hex');
  }

  static Invalid(): TraceID {
    return new TraceID('00000000', '000000000000000000000000');
  }

  /** Parses `rawID`; a malformed one is logged and replaced by a new id, as in the SDK. */
  static FromString(rawID: string): TraceID {
    const traceID = new TraceID();
    if (!rawID || typeof rawID !== 'string') {
      runtime.logger.error('Empty or non-string trace ID provided');
      return traceID;
    }
    const parts = rawID.trim().split('-');
    if (parts.length !== 3) {
      runtime.logger.error('Unrecognized trace ID format');
      return traceID;
    }
    const version = parseInt(parts[0]!, 10);
    if (Number.isNaN(version) || version < 1) {
      runtime.logger.error('Trace ID version must be positive integer');
      return traceID;
    }
    const timestamp = parseInt(parts[1]!, 16);
    if (Number.isNaN(timestamp)) {
      runtime.logger.error('Trace ID timestamp must be a hex-encoded value');
      return traceID;
    }
    traceID.version = version;
    traceID.timestamp = timestamp.toString(16).padStart(8, '0');
    traceID.id = parts[2]!;
    return traceID;
  }

  toString(): string {
    return `${this.version}-${this.timestamp}-${this.id}`;
  }
}
