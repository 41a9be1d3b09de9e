import type { Link } from '@opentelemetry/api';
import type { LinkDocument } from '../document.js';
import { isXRayCompatibleTraceId, isXRaySpanId, toXRayTraceId } from '../../ids.js';


/** Span links → `links`; a link with ids X-Ray cannot parse is left out rather than failing the document. */
export function linksBlock(links: readonly Link[]): LinkDocument[] | undefined {
  if (links.length === 0) return undefined;
  const out: LinkDocument[] = [];
  for (const link of links) {
    const { traceId, spanId } = link.context;
    if (!isXRayCompatibleTraceId(traceId) || !isXRaySpanId(spanId)) continue;
    const doc: LinkDocument = { trace_id: toXRayTraceId(traceId), id: spanId };
    if (link.attributes && Object.keys(link.attributes).length > 0) doc.attributes = { ...link.attributes };
    out.push(doc);
  }
  return out.length > 0 ? out : undefined;
}
