// Type-aware lint. The side-boundary rule lives here so that `npm test` (which lints) fails
// when command-side/, query-side/ or projections/ import from one another: only shared/ is common.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const sides = ['command-side', 'query-side', 'projections'];

const boundaryFor = (side) => ({
  files: [`${side}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: sides
          .filter((other) => other !== side)
          // Only a path that climbs out to the top level and enters another side: shared/projections/ is fine.
          .map((other) => ({
            regex: `^(\\.\\./)+${other}(/|$)`,
            message: `${side}/ may import only from shared/ (not from ${other}/).`,
          })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      'no-console': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  ...sides.map(boundaryFor),
);
