import type { Span } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ATTR_AWS_LOCAL_SERVICE } from '../shared/attributes.js';

/**
 * The exporter names a segment after the resource's `service.name` when there is a real one; a
 * segment begun by name keeps that name. `aws.local.service` pins it, and is written only when the
 * resource would say otherwise, so that it does not show up as metadata for nothing.
 */
export function pinSegmentName(span: Span, name: string): void {
  if (name === '') return;
  const service = (span as Partial<ReadableSpan>).resource?.attributes[ATTR_SERVICE_NAME];
  if (typeof service === 'string' && service !== name && !service.startsWith('unknown_service')) {
    span.setAttribute(ATTR_AWS_LOCAL_SERVICE, name);
  }
}
