import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'benchmarks/results/', 'coverage/'] },
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
  {
    files: ['src/local-daemon/web/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
