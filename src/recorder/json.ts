import { errorMessage } from '../common/values.js';

/**
 * JSON for metadata, which may hold anything an application has at hand. Never throws: what JSON
 * cannot represent is replaced (circular references → "[Circular]", BigInt → its decimal string,
 * non-finite numbers → null as JSON does) or dropped (functions, symbols, `undefined`), and each
 * kind of problem is reported once per call with the top-level key it was found under.
 */
export function safeStringify(root: object, report: (key: string, problem: string) => void): string {
  const ancestors: unknown[] = [];
  let topKey = '';
  let reported: Set<string> | undefined;
  const note = (problem: string): void => {
    const id = topKey + '\u0000' + problem;
    if (reported?.has(id)) return;
    (reported ??= new Set()).add(id);
    report(topKey, problem);
  };

  function replacer(this: unknown, key: string, value: unknown): unknown {
    if (this === root) topKey = key;
    switch (typeof value) {
      case 'bigint':
        note('BigInt written as a string');
        return value.toString();
      case 'function':
        note('function dropped');
        return undefined;
      case 'symbol':
        note('symbol dropped');
        return undefined;
      case 'number':
        if (!Number.isFinite(value)) note(`${String(value)} written as null`);
        return value;
      case 'object': {
        if (value === null) return value;
        // `this` is the object holding `value`; everything deeper on the stack is a finished sibling branch.
        while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
        if (ancestors.includes(value)) {
          note('circular reference replaced with "[Circular]"');
          return '[Circular]';
        }
        ancestors.push(value);
        // Errors have no enumerable fields: without this they would be written as {}.
        if (value instanceof Error) return { name: value.name, message: value.message };
        return value;
      }
      default:
        return value;
    }
  }

  try {
    return JSON.stringify(root, replacer) ?? '{}';
  } catch (err) {
    // A throwing getter or toJSON somewhere: keep every key that serializes on its own.
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(root)) {
      topKey = key;
      ancestors.length = 0;
      try {
        const one = JSON.stringify({ [key]: (root as Record<string, unknown>)[key] }, replacer);
        Object.assign(out, JSON.parse(one) as object);
      } catch (inner) {
        note(`not serializable (${errorMessage(inner ?? err)}); replaced with "[Unserializable]"`);
        out[key] = '[Unserializable]';
      }
    }
    return JSON.stringify(out);
  }
}
