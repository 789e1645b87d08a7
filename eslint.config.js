// Lint rules: typescript-eslint's recommended type-aware set, plus the habits
// of STYLE.md that a linter can hold (no `any`, no non-null assertions).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.cache/',
      '**/.wrangler/',
      'migrations/',
      'worker/env.d.ts',
      'test-output/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['local-dev/**', 'scripts/**', 'bench/**', 'test/**', 'sdk/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
