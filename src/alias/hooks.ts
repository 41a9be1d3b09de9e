// ESM resolve hooks (registered with `module.register` by the alias): `import 'aws-xray-sdk-core'`
// and the other aliased names resolve to the drop-in's ESM build, beside this file.
import { aliasOf } from './targets.js';

type Resolve = (specifier: string, context: unknown, next: (specifier: string, context: unknown) => Promise<unknown>) => Promise<unknown>;

export const resolve: Resolve = async (specifier, context, next) => {
  const target = aliasOf(specifier);
  if (target === undefined) return next(specifier, context);
  return { url: new URL(`./${target}.js`, import.meta.url).href, shortCircuit: true, format: 'module' };
};
