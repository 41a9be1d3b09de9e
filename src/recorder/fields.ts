import type { Span } from '@opentelemetry/api';
import { ATTR_DB_QUERY_TEXT, ATTR_DB_SYSTEM_NAME, ATTR_HTTP_REQUEST_METHOD, ATTR_URL_FULL, ATTR_USER_AGENT_ORIGINAL } from '@opentelemetry/semantic-conventions';
import { ATTR_DB_CONNECTION_STRING, ATTR_DB_USER } from '@opentelemetry/semantic-conventions/incubating';
import {
  ATTR_AWS_ACCOUNT_ID,
  ATTR_AWS_DYNAMODB_TABLE_NAMES,
  ATTR_AWS_OPERATION,
  ATTR_AWS_QUEUE_URL,
  ATTR_AWS_REGION,
  ATTR_AWS_REQUEST_ID,
  ATTR_AWS_TABLE_NAME,
  ATTR_XRAY_PREFIX,
  ATTR_XRAY_SQL_DATABASE_VERSION,
  ATTR_XRAY_SQL_DRIVER_VERSION,
  ATTR_XRAY_SQL_PREPARATION,
} from '../common/attributes.js';
import { describe, errorMessage, toAttributeValue } from './values.js';

// The X-Ray SDKs' field names (`put_http_meta`, `set_aws`, `set_sql`) → the span attributes the
// exporter reads to rebuild those blocks.

/** X-Ray keys of `put_http_meta` → the stable HTTP semantic conventions the exporter reads. */
export const HTTP_STRING_KEYS: Readonly<Record<'url' | 'method' | 'user_agent', string>> = {
  url: ATTR_URL_FULL,
  method: ATTR_HTTP_REQUEST_METHOD,
  user_agent: ATTR_USER_AGENT_ORIGINAL,
};

/** `set_aws` fields → the attributes the exporter's `aws` block reads. */
export const AWS_KEYS: Readonly<Record<string, string>> = {
  operation: ATTR_AWS_OPERATION,
  region: ATTR_AWS_REGION,
  request_id: ATTR_AWS_REQUEST_ID,
  queue_url: ATTR_AWS_QUEUE_URL,
  table_name: ATTR_AWS_TABLE_NAME,
  table_names: ATTR_AWS_DYNAMODB_TABLE_NAMES,
  account_id: ATTR_AWS_ACCOUNT_ID,
};

/** `set_sql` fields → `db.*` attributes the exporter's `sql` block reads. */
export const SQL_KEYS: Readonly<Record<string, string>> = {
  url: ATTR_DB_CONNECTION_STRING,
  connection_string: ATTR_DB_CONNECTION_STRING,
  sanitized_query: ATTR_DB_QUERY_TEXT,
  database_type: ATTR_DB_SYSTEM_NAME,
  database_version: ATTR_XRAY_SQL_DATABASE_VERSION,
  driver_version: ATTR_XRAY_SQL_DRIVER_VERSION,
  user: ATTR_DB_USER,
  preparation: ATTR_XRAY_SQL_PREPARATION,
};

/**
 * Writes each field of `fields` as an attribute: the table's key when it has one, else `prefix`
 * + the field name. A field that cannot be read or held by an attribute is skipped with a warning;
 * the others are still written.
 */
export function writeFields(
  span: Span,
  warn: (message: string) => void,
  operation: string,
  fields: Record<string, unknown>,
  known: Readonly<Record<string, string>>,
  prefix: string,
): void {
  if (typeof fields !== 'object' || fields === null) {
    warn(`${operation}: ${describe(fields)} is not an object; ignored`);
    return;
  }
  let keys: string[];
  try {
    keys = Object.keys(fields);
  } catch (problem) {
    warn(`${operation}: the fields could not be listed (${errorMessage(problem)}); ignored`);
    return;
  }
  for (const key of keys) {
    let value: unknown;
    try {
      value = fields[key];
    } catch (problem) {
      warn(`${operation}: field "${key}" could not be read (${errorMessage(problem)}); ignored`);
      continue;
    }
    if (value === undefined || value === null) continue;
    // Own keys only: `constructor`, `toString`, `__proto__`… are fields like any other, not the table's prototype.
    const attribute = Object.hasOwn(known, key) ? known[key]! : prefix + key;
    if (attribute.startsWith(ATTR_XRAY_PREFIX)) {
      warn(`${operation}: field "${key}" would write "${attribute}", which is reserved; ignored`);
      continue;
    }
    const v = toAttributeValue(value);
    if (v === undefined) {
      warn(`${operation}: field "${key}" has ${describe(value)}, which an attribute cannot hold; ignored`);
      continue;
    }
    span.setAttribute(attribute, v);
  }
}
