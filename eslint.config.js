import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const DROPIN = ['aws-xray-sdk-core', 'aws-xray-sdk-express', 'aws-xray-sdk-mysql', 'aws-xray-sdk-postgres', 'aws-xray-sdk', 'alias'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'benchmarks/results/', 'benchmarks/.cache/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      // `interface Foo extends Aliases<…> {}` names the members an alias table adds (recorder/aliases.ts).
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
    },
  },
  {
    // The recorder's classes merge with an interface of their aliases, which defineAliases puts on
    // the prototype at load (recorder/aliases.ts): the merge is the point, not an accident.
    files: ['src/recorder/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-declaration-merging': 'off' },
  },
  // The arrows between src/ folders point one way (docs/architecture.md): each folder lists the
  // folders it must not import from.
  // The drop-in (aws-xray-sdk-core and friends, the alias) sits above everything else: nothing below imports it.
  ...layer('src/common/**', ['transport', 'exporter', 'sampling', 'recorder', 'patch', 'local-daemon', 'setup', 'cli', ...DROPIN]),
  ...layer('src/transport/**', ['exporter', 'sampling', 'recorder', 'patch', 'local-daemon', 'setup', 'cli', ...DROPIN]),
  ...layer('src/exporter/**', ['sampling', 'recorder', 'patch', 'local-daemon', 'setup', 'cli', ...DROPIN]),
  ...layer('src/sampling/**', ['exporter', 'recorder', 'patch', 'local-daemon', 'setup', 'cli', ...DROPIN]),
  ...layer('src/patch/**', ['transport', 'exporter', 'sampling', 'recorder', 'local-daemon', 'setup', 'cli', ...DROPIN]),
  ...layer('src/recorder/**', ['transport', 'local-daemon', 'setup', 'cli', ...DROPIN]),
  ...layer('src/local-daemon/**', ['recorder', 'patch', 'setup', 'cli', ...DROPIN]),
  ...layer('src/setup/**', ['local-daemon', 'cli', ...DROPIN]),
  ...layer('src/{ids,logger}.ts', ['common', 'transport', 'exporter', 'sampling', 'recorder', 'patch', 'local-daemon', 'setup', 'cli', ...DROPIN]),
  ...layer('src/aws-xray-sdk-core/**', ['local-daemon', 'cli', 'aws-xray-sdk-express', 'aws-xray-sdk-mysql', 'aws-xray-sdk-postgres', 'aws-xray-sdk', 'alias']),
  ...layer('src/aws-xray-sdk-express/**', ['transport', 'exporter', 'sampling', 'recorder', 'local-daemon', 'setup', 'cli', 'aws-xray-sdk-mysql', 'aws-xray-sdk-postgres', 'aws-xray-sdk', 'alias']),
  ...layer('src/aws-xray-sdk-{mysql,postgres}/**', ['transport', 'exporter', 'sampling', 'recorder', 'local-daemon', 'setup', 'cli', 'aws-xray-sdk-express', 'aws-xray-sdk', 'alias']),
  ...layer('src/aws-xray-sdk/**', ['transport', 'exporter', 'sampling', 'recorder', 'local-daemon', 'setup', 'cli', 'alias']),
  // The preload loads the drop-in's builds by file, never its sources: it must stay tiny.
  ...layer('src/alias/**', ['common', 'transport', 'exporter', 'sampling', 'recorder', 'local-daemon', 'setup', 'cli', ...DROPIN.filter((f) => f !== 'alias')]),
  {
    // Legacy programs written the way aws-xray-sdk-core users write them: CommonJS.
    files: ['test/parity/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    files: ['src/local-daemon/web/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);

/** An ESLint block that forbids files matching `files` to import from the `forbidden` src/ folders. */
function layer(files, forbidden) {
  const folders = forbidden.join('|');
  return [
    {
      files: [files],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: `^(\\./|(\\.\\./)+)(${folders})(/|\\.js$)`,
                message: 'This import points against the one-way arrows between src/ folders (docs/architecture.md).',
              },
            ],
          },
        ],
      },
    },
  ];
}
