/** The packages the alias redirects, and the drop-in build file each resolves to (beside the alias's own file). */
export const ALIASED: Readonly<Record<string, string>> = {
  'aws-xray-sdk-core': 'aws-xray-sdk-core',
  'aws-xray-sdk-express': 'aws-xray-sdk-express',
  'aws-xray-sdk': 'aws-xray-sdk',
  'aws-xray-sdk-mysql': 'aws-xray-sdk-mysql',
  'aws-xray-sdk-postgres': 'aws-xray-sdk-postgres',
};

export function aliasOf(specifier: string): string | undefined {
  return Object.hasOwn(ALIASED, specifier) ? ALIASED[specifier] : undefined;
}
