/**
 * X-Ray's rule patterns: `*` matches any run of characters (none too), `?` exactly one, anything
 * else itself, ignoring case, over the whole text. Compiled once per rule, so a decision costs no
 * regex construction.
 */
export type WildcardMatcher = (text: string) => boolean;

const MATCH_ALL: WildcardMatcher = () => true;
const SPECIAL = /[.+^${}()|[\]\\]/g;

export function compileWildcard(pattern: string): WildcardMatcher {
  if (pattern === '*') return MATCH_ALL;
  if (!/[*?]/.test(pattern)) {
    const lower = pattern.toLowerCase();
    return (text) => text.length === lower.length && text.toLowerCase() === lower;
  }
  const source = pattern.replace(SPECIAL, '\\$&').replace(/\*+/g, '.*').replace(/\?/g, '.');
  // `s`: a `*` or `?` also covers a newline, as the SDKs' hand-written matchers do.
  const re = new RegExp(`^${source}$`, 'is');
  return (text) => re.test(text);
}
