import { TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { EntityDocument } from '../document.js';
import { ATTR_ENDUSER_ID, ATTR_XRAY_NAMESPACE, ATTR_XRAY_PRECURSOR_IDS, ATTR_XRAY_TRACED } from '../../common/attributes.js';
import { hrTimeToEpochSeconds, isXRayCompatibleTraceId, isXRaySpanId, toXRayTraceId } from '../../ids.js';
import { createContext, isAwsApi, isClientLike, isServerLike, takeString, type ResolvedTranslateOptions, type TranslateContext } from './context.js';
import { resolveName } from './names.js';
import { httpBlock, httpStatus } from './http.js';
import { errorFlags, causeBlock } from './cause.js';
import { awsFields } from './aws.js';
import { sqlBlock } from './sql.js';
import { linksBlock } from './links.js';
import { annotationsAndMetadata } from './annotations.js';
import type { LambdaEnvironment } from '../../common/lambda-env.js';

/** One span, translated: the document body plus what nesting and the datagram head need. */
export interface TranslatedSpan {
  /** The document without `type`, `trace_id`, `parent_id` and `subsegments`: the part shared by
   * the embedded and the independent form. */
  readonly body: EntityDocument;
  readonly isSegment: boolean;
  readonly spanId: string;
  /** The X-Ray parent id this document names when sent on its own, if any. */
  readonly parentId: string | undefined;
  readonly traceId: string;
  /** OTel start time, for ordering siblings. */
  readonly startSeconds: number;
  /** Attributes and events the span has: how large its document may be, before it is written. */
  readonly valueCount: number;
}


// The last trace id converted: the spans of one trace end, and are exported, together.
let lastOtelTraceId = '';
let lastXRayTraceId = '';

/** The X-Ray form of an OTel trace id, or undefined when X-Ray cannot take it. */
function xrayTraceIdOf(otelTraceId: string): string | undefined {
  if (otelTraceId === lastOtelTraceId) return lastXRayTraceId;
  if (!isXRayCompatibleTraceId(otelTraceId)) return undefined;
  lastXRayTraceId = toXRayTraceId(otelTraceId);
  lastOtelTraceId = otelTraceId;
  return lastXRayTraceId;
}

export function isSampled(span: ReadableSpan): boolean {
  return (span.spanContext().traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}

/**
 * Translates one span, or returns a reason it cannot become an X-Ray document (invalid ids, or a
 * Lambda span with no place under the function's segment).
 */
export function translateSpan(
  span: ReadableSpan,
  options: ResolvedTranslateOptions,
  lambda: LambdaEnvironment | undefined,
): TranslatedSpan | string {
  const sc = span.spanContext();
  const traceId = xrayTraceIdOf(sc.traceId);
  if (traceId === undefined || !isXRaySpanId(sc.spanId)) {
    return `span "${span.name}" has ids X-Ray cannot accept (trace ${sc.traceId}, span ${sc.spanId})`;
  }
  const parent = span.parentSpanContext;
  let parentId = parent && isXRaySpanId(parent.spanId) ? parent.spanId : undefined;

  let isSegment = parentId === undefined || isServerLike(span.kind);
  if (lambda) {
    // Lambda emits the function's segment itself; everything here hangs under its facade.
    isSegment = false;
    if (parentId === undefined) {
      if (lambda.traceId !== sc.traceId || lambda.parentId === undefined) {
        return `span "${span.name}" has no parent and is not part of the current Lambda invocation's trace`;
      }
      parentId = lambda.parentId;
    }
  }

  const ctx = createContext(span, isSegment, options);
  const body = buildBody(ctx, sc.spanId);
  return {
    body,
    isSegment,
    spanId: sc.spanId,
    parentId,
    traceId,
    startSeconds: body.start_time,
    valueCount: ctx.keys.length + span.events.length,
  };
}

function buildBody(ctx: TranslateContext, id: string): EntityDocument {
  const { span } = ctx;
  const doc: EntityDocument = {
    name: resolveName(ctx),
    id,
    start_time: 0,
  };
  setTimes(ctx, doc);

  const namespace = namespaceOf(ctx);
  if (namespace) doc.namespace = namespace;

  const http = httpBlock(ctx);
  const flags = errorFlags(ctx, httpStatus(ctx));
  const cause = causeBlock(ctx);
  const aws = awsFields(ctx);
  const sql = sqlBlock(ctx);

  if (ctx.isSegment) {
    if (aws.origin) doc.origin = aws.origin;
    const user = takeString(ctx, ATTR_ENDUSER_ID);
    if (user !== undefined) doc.user = user.length > 250 ? user.slice(0, 250) : user;
  }
  if (!ctx.isSegment) addSubsegmentFields(ctx, doc);
  if (flags.error) doc.error = true;
  if (flags.fault) doc.fault = true;
  if (flags.throttle) doc.throttle = true;
  if (http) doc.http = http;
  if (aws.aws) doc.aws = aws.aws;
  if (sql) doc.sql = sql;
  if (ctx.isSegment && aws.service) doc.service = aws.service;

  const { annotations, metadata } = annotationsAndMetadata(ctx);
  if (annotations) doc.annotations = annotations;
  if (metadata) doc.metadata = metadata;
  if (cause) doc.cause = cause;
  const links = linksBlock(span.links);
  if (links) doc.links = links;
  return doc;
}

/**
 * `start_time` and `end_time` (or `in_progress`). X-Ray rejects a time that is not a
 * non-negative number, and JSON writes NaN and Infinity as null: a time given as
 * `new Date(NaN)`, `Infinity` or a negative value is replaced by the span's other time (else the
 * time of export), with a warning. A span ended before it started (clock skew, hand-set times)
 * would read as a negative duration: it ends when it started.
 */
function setTimes(ctx: TranslateContext, doc: EntityDocument): void {
  const { span } = ctx;
  const start = hrTimeToEpochSeconds(span.startTime);
  const end = span.ended ? hrTimeToEpochSeconds(span.endTime) : undefined;
  const startOk = isValidTime(start);
  const endOk = end === undefined || isValidTime(end);
  if (!startOk || !endOk) {
    const which = !startOk && !endOk ? 'start and end times' : !startOk ? 'start time' : 'end time';
    ctx.options.warnings.warn(
      'invalid-time',
      `span "${span.name}" has an invalid ${which} (${String(start)}${end === undefined ? '' : `, ${String(end)}`} epoch seconds); ` +
        'X-Ray needs non-negative numbers, so it is replaced by the other time, else the time of export',
    );
  }
  doc.start_time = startOk ? start : end !== undefined && endOk ? end : Date.now() / 1000;
  if (end === undefined) {
    doc.in_progress = true;
    return;
  }
  doc.end_time = endOk && end >= doc.start_time ? end : doc.start_time;
}

function isValidTime(seconds: number): boolean {
  return Number.isFinite(seconds) && seconds >= 0;
}

const SPAN_ID = /^[0-9a-f]{16}$/;

/** `traced` and `precursor_ids`, which only the X-Ray SDKs' subsegments carry. */
function addSubsegmentFields(ctx: TranslateContext, doc: EntityDocument): void {
  if (!ctx.recorderKeys) return;
  const traced = ctx.attributes[ATTR_XRAY_TRACED];
  if (typeof traced === 'boolean') {
    ctx.consumed.add(ATTR_XRAY_TRACED);
    if (traced) doc.traced = true;
  }
  const precursors = ctx.attributes[ATTR_XRAY_PRECURSOR_IDS];
  if (Array.isArray(precursors)) {
    ctx.consumed.add(ATTR_XRAY_PRECURSOR_IDS);
    const ids = precursors.filter((id): id is string => typeof id === 'string' && SPAN_ID.test(id));
    if (ids.length > 0) doc.precursor_ids = ids;
  }
}

function namespaceOf(ctx: TranslateContext): 'aws' | 'remote' | undefined {
  const explicit = ctx.recorderKeys ? takeString(ctx, ATTR_XRAY_NAMESPACE) : undefined;
  if (ctx.isSegment) return undefined;
  if (explicit === 'aws' || explicit === 'remote') return explicit;
  const attrs = ctx.attributes;
  if (isAwsApi(attrs) || (typeof attrs['aws.service'] === 'string' && attrs['aws.service'] !== '')) {
    return 'aws';
  }
  return isClientLike(ctx.kind) ? 'remote' : undefined;
}
