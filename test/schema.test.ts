import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

// The SHA-256 of the X-Ray segment-document contract (draft-07) this package was built against.
// The package ships that file unchanged in `schema/`; an edit to the copy must be a deliberate
// update of the contract, which changes this pin in the same commit.
const CONTRACT_SHA256 = '493e9b53fcee69a9c18522472f25911b1bfb6a6af6e705d29442ead1d117878f';

describe('the schema shipped in the package', () => {
  const text = readFileSync(new URL('../schema/segment-document.schema.json', import.meta.url), 'utf8');

  it('is the segment-document contract, byte for byte', () => {
    expect(createHash('sha256').update(text).digest('hex')).toBe(CONTRACT_SHA256);
  });

  it('compiles as a draft-07 JSON Schema', () => {
    const schema = JSON.parse(text) as { $schema?: string };
    expect(schema.$schema).toMatch(/draft-07/);
    expect(() => new Ajv({ strict: false }).compile(schema)).not.toThrow();
  });
});
