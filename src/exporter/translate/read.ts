// How blocks read span attributes into X-Ray fields when one field has several keys (stable
// semantic conventions first, then the older keys they replaced): every block uses these, so a
// "dup"-mode span is handled the same way in http, sql and aws.
import { toNumber } from '../../common/values.js';
import type { TranslateContext } from './context.js';

/**
 * The first of `keys` holding a non-empty string that `accept` allows; consumes it, and also every
 * later alias holding the very same value (so a "dup"-mode span doesn't repeat it in metadata).
 * Aliases with a different value are kept: they carry information the field doesn't.
 */
export function takeStringAlias(
  ctx: TranslateContext,
  keys: readonly string[],
  accept?: (value: string) => boolean,
): string | undefined {
  const attrs = ctx.attributes;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v = attrs[key];
    if (typeof v !== 'string' || v === '' || (accept !== undefined && !accept(v))) continue;
    ctx.consumed.add(key);
    for (let j = i + 1; j < keys.length; j++) {
      const alias = keys[j]!;
      if (attrs[alias] === v) ctx.consumed.add(alias);
    }
    return v;
  }
  return undefined;
}

/** Like `takeStringAlias` for numbers (numeric strings included, as `toNumber` reads them). */
export function takeNumberAlias(ctx: TranslateContext, keys: readonly string[], accept: (n: number) => boolean): number | undefined {
  const attrs = ctx.attributes;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const n = toNumber(attrs[key]);
    if (n === undefined || !accept(n)) continue;
    ctx.consumed.add(key);
    for (let j = i + 1; j < keys.length; j++) {
      const alias = keys[j]!;
      if (toNumber(attrs[alias]) === n) ctx.consumed.add(alias);
    }
    return n;
  }
  return undefined;
}
