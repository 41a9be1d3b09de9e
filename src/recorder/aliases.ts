/**
 * Other SDKs' names for our methods (Python's `put_annotation`, Java's `getCurrentSegment`, …).
 * Each class keeps one table, alias → method (or getter); the alias's type and its runtime value
 * are both derived from that table, so adding a name is one entry:
 *
 *   const FOO_ALIASES = { do_thing: 'doThing' } as const satisfies AliasTable<FooMethods>;
 *   export interface Foo extends Aliases<FooMethods, typeof FOO_ALIASES> {}
 *   export class Foo extends FooMethods {}
 *   defineAliases(Foo, FOO_ALIASES);
 *
 * The methods live in a base class because an interface cannot extend a type computed from the
 * very class it merges with (TypeScript reports a circular base type).
 */

/** Alias name → the name of a member of `T`. */
export type AliasTable<T> = Readonly<Record<string, keyof T & string>>;

/** The members an alias table adds: each alias has its target's type. */
export type Aliases<T, A extends AliasTable<T>> = { [K in keyof A]: T[A[K]] };

/**
 * Defines each alias on `cls.prototype` as the very same function (or getter) as its target: no
 * extra call per use. The target may sit anywhere on the prototype chain; an instance field is
 * read through a getter.
 */
export function defineAliases(cls: abstract new (...args: never[]) => object, table: Readonly<Record<string, string>>): void {
  const proto = cls.prototype as object;
  for (const [alias, name] of Object.entries(table)) {
    const descriptor = findDescriptor(proto, name);
    // Not on the prototype: an instance field (the table's type has already checked it exists).
    const aliased: PropertyDescriptor =
      descriptor === undefined
        ? { get: readField(name) }
        : 'value' in descriptor
          ? { value: descriptor.value, writable: true }
          : { get: descriptor.get, set: descriptor.set };
    Object.defineProperty(proto, alias, { ...aliased, configurable: true, enumerable: false });
  }
}

function readField(name: string): (this: Record<string, unknown>) => unknown {
  return function (this: Record<string, unknown>): unknown {
    return this[name];
  };
}

function findDescriptor(proto: object | null, name: string): PropertyDescriptor | undefined {
  for (let p = proto; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d !== undefined) return d;
  }
  return undefined;
}
