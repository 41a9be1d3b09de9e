import type { Context } from '@opentelemetry/api';

/** A chain longer than this is folded into one map, so a lookup never walks far. */
const MAX_DEPTH = 32;
const NO_KEY = Symbol('xray-otel-bridge linked context: no key');

/**
 * An OpenTelemetry `Context` that adds one value to its parent instead of copying it. The API's
 * own context copies its whole map (and makes three closures) on every `setValue`, and the
 * recorder makes two or three contexts per entity (its span, the entity, the drop-in's cls
 * frame): that copying was a large part of what an entity cost. Lookups walk the chain, which
 * is folded into one map past {@link MAX_DEPTH} links. Any code may derive from it: it is a
 * `Context` like any other.
 */
export class LinkedContext implements Context {
  private constructor(
    private readonly parent: Context,
    private readonly key: symbol,
    private readonly value: unknown,
    private readonly depth: number,
  ) {}

  /** `ctx` itself when it is linked, else a link over it (cheap to derive from). */
  static from(ctx: Context): LinkedContext {
    return ctx instanceof LinkedContext ? ctx : new LinkedContext(ctx, NO_KEY, undefined, 0);
  }

  getValue(key: symbol): unknown {
    if (this.key === key) return this.value;
    let c = this.parent;
    while (c instanceof LinkedContext) {
      if (c.key === key) return c.value;
      c = c.parent;
    }
    return c.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    if (this.depth < MAX_DEPTH) return new LinkedContext(this, key, value, this.depth + 1);
    return new LinkedContext(this.folded(), key, value, 1);
  }

  /** A removed key reads as `undefined`, as with the API's context. */
  deleteValue(key: symbol): Context {
    return this.setValue(key, undefined);
  }

  /** The chain as one map over the first context that is not linked (the newest value of a key wins). */
  private folded(): Context {
    const values = new Map<symbol, unknown>();
    if (this.key !== NO_KEY) values.set(this.key, this.value);
    let c = this.parent;
    while (c instanceof LinkedContext) {
      if (c.key !== NO_KEY && !values.has(c.key)) values.set(c.key, c.value);
      c = c.parent;
    }
    return new FoldedContext(values, c);
  }
}

/** Values of a folded chain, over the context the chain started from. */
class FoldedContext implements Context {
  constructor(
    private readonly values: Map<symbol, unknown>,
    private readonly base: Context,
  ) {}

  getValue(key: symbol): unknown {
    return this.values.has(key) ? this.values.get(key) : this.base.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return LinkedContext.from(this).setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.setValue(key, undefined);
  }
}
