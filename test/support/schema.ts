import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { expect } from 'vitest';

// The package's own copy of the contract; schema.test.ts pins it to the contract byte for byte.
const schemaPath = fileURLToPath(new URL('../../schema/segment-document.schema.json', import.meta.url));

export function loadSchema(): object {
  return JSON.parse(readFileSync(schemaPath, 'utf8'));
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(loadSchema());

/** Schema errors of one document, as readable strings (empty when valid). */
export function schemaErrors(doc: unknown): string[] {
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** Asserts the document validates against the shipped segment-document schema. */
export function expectValidDocument(doc: unknown): void {
  const errors = schemaErrors(doc);
  expect(errors, `schema errors for ${JSON.stringify(doc).slice(0, 500)}`).toEqual([]);
}

export function expectValidDocuments(docs: readonly unknown[]): void {
  for (const d of docs) expectValidDocument(d);
}
