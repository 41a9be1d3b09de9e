import { XRAY_TRACE_ID_PATTERN } from '../ids.js';

/** The function's own segment, as Lambda announces it per invocation in `_X_AMZN_TRACE_ID`. */
export interface LambdaEnvironment {
  /** OTel (32 hex) trace id of the current invocation, when known. */
  traceId: string | undefined;
  /** Span id of the Lambda facade segment, when known. */
  parentId: string | undefined;
  sampled: boolean | undefined;
}

export function isLambda(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME || env.LAMBDA_TASK_ROOT);
}

const ROOT = new RegExp(String.raw`(?:^|;)\s*Root=${XRAY_TRACE_ID_PATTERN}\s*(?:;|$)`);
const PARENT = /(?:^|;)\s*Parent=([0-9a-fA-F]{16})\s*(?:;|$)/;
const SAMPLED = /(?:^|;)\s*Sampled=([01])\s*(?:;|$)/;

/** Parses `Root=1-…;Parent=…;Sampled=1`; missing parts are undefined. */
export function parseLambdaTraceHeader(header: string | undefined): LambdaEnvironment {
  if (!header) return { traceId: undefined, parentId: undefined, sampled: undefined };
  const root = ROOT.exec(header);
  const parent = PARENT.exec(header);
  const sampled = SAMPLED.exec(header);
  return {
    traceId: root ? (root[1]! + root[2]!).toLowerCase() : undefined,
    parentId: parent ? parent[1]!.toLowerCase() : undefined,
    sampled: sampled ? sampled[1] === '1' : undefined,
  };
}

/** The Lambda environment of this moment, or undefined outside Lambda. */
export function currentLambdaEnvironment(env: NodeJS.ProcessEnv = process.env): LambdaEnvironment | undefined {
  return isLambda(env) ? parseLambdaTraceHeader(env._X_AMZN_TRACE_ID) : undefined;
}
