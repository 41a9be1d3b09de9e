import type { Span } from '@opentelemetry/api';
import { ATTR_AWS_LOCAL_SERVICE } from '../common/attributes.js';

/**
 * The exporter names a segment after `aws.local.service`, else the resource's service name, else
 * `unknown_service`; a segment begun by name keeps that name, so it is pinned here.
 */
export function pinSegmentName(span: Span, name: string): void {
  if (name !== '') span.setAttribute(ATTR_AWS_LOCAL_SERVICE, name);
}
