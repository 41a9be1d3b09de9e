import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('the schema shipped in the package', () => {
  it('is the shared contract, byte for byte', () => {
    const shipped = readFileSync(new URL('../schema/segment-document.schema.json', import.meta.url), 'utf8');
    const shared = readFileSync(new URL('../../shared/schema/segment-document.schema.json', import.meta.url), 'utf8');
    expect(shipped).toBe(shared);
  });
});
