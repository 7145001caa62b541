import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.tools/', 'dist/', 'jest.config.js', 'eslint.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Kysely's documented convention: migrations run against an untyped schema, frozen in time.
    files: ['db/migrations/**/*.ts', 'db/backfills/**/*.ts', 'db/migrate.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // A workflow is started, signalled and found through its family's module in workflow-clients/ (its id, search
    // attributes and conflict handling in one place), never from a route or the worker directly.
    files: ['api/**/*.ts', 'workers/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.property.name='workflow'][property.name=/^(start|execute|signalWithStart|getHandle)$/]",
          message: 'Start and find workflows through their family module in workflow-clients/.',
        },
        {
          selector: 'CallExpression[callee.property.name=/^(signal|signalWithStart|executeUpdate|startUpdate)$/]',
          message: 'Signal and update workflows through their family module in workflow-clients/.',
        },
      ],
    },
  },
  {
    // Workflow code is replayed deterministically in a sandbox: no Node built-ins, no I/O modules.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must be deterministic: no Node built-ins.' })),
          patterns: [
            { group: ['pg', 'kysely', 'libsodium-wrappers', 'pino', 'prom-client', 'hono', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'Side effects belong in activities.' },
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must be deterministic: no Node built-ins.' })),
          patterns: [
            { group: ['../activities/*', '../db/*', '../connectors/*'], allowTypeImports: true, message: 'Workflows import activities, db and connectors as types only.' },
            { group: ['pg', 'kysely', 'libsodium-wrappers', 'pino', 'prom-client', 'hono', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'Side effects belong in activities.' },
          ],
        },
      ],
    },
  },
);
