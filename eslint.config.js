// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/bridge/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['grammy', '@grammyjs/*'], message: 'The bridge core talks to Telegram only through its ports.' },
            { group: ['undici'], message: 'The bridge core talks to the Market only through its ports.' },
            { group: ['lowdb', 'lowdb/*'], message: 'The bridge core uses the store only through its port.' },
            { group: ['pino', 'pino/*'], message: 'The bridge core logs through its Log port (log.ts).' },
            {
              group: ['../market/*', '../telegram/*', '../store/*', '../server/*'],
              message: 'bridge/ depends only on its own ports.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/templates/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['grammy', '@grammyjs/*', 'undici', 'lowdb', 'lowdb/*', 'pino', 'pino/*'],
              message: 'Quick replies are pure rules: the sides use them, not the other way round.',
            },
            {
              group: ['../market/*', '../telegram/*', '../store/*', '../server/*', '../app/*', '../app.ts'],
              message: 'templates/ depends only on its own files and the bridge core.',
            },
          ],
        },
      ],
    },
  },
  { files: ['*.js'], ...tseslint.configs.disableTypeChecked },
);
