import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import { readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** The project's top-level folders, read from disk: a folder added later is outside every layer below until one allows it. */
const PROJECT_FOLDERS = readdirSync(import.meta.dirname, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
  .map((entry) => entry.name);

/**
 * The layers (docs/architecture.md, "Where a query lives, and the layers"): the other project folders a folder's files may import,
 * type imports included. Folders not listed may import any folder except api/ and workers/ (see ENTRY_POINTS).
 */
const MAY_IMPORT = {
  domain: [],
  db: ['domain'],
  security: ['domain'],
  config: ['domain', 'security'],
  connectors: ['domain', 'config', 'security'],
  observability: ['domain', 'db', 'connectors'],
  services: ['domain', 'db', 'connectors', 'security', 'observability', 'config'],
  schedules: ['domain', 'db', 'workflows', 'workflow-clients'],
  activities: ['domain', 'db', 'connectors', 'services', 'security', 'observability', 'schedules', 'config', 'workflow-clients'],
  'workflow-clients': ['domain', 'db', 'workflows', 'activities'],
  // Beyond domain/, workflows import activities, db and connectors as types only (WORKFLOW_TYPE_IMPORTS).
  workflows: ['domain'],
};
const WORKFLOW_TYPE_IMPORTS = ['activities', 'db', 'connectors'];

/**
 * The processes' own folders: imported only from within themselves, by the tests, and by the composition
 * root that builds their dependencies (composition/); never by each other.
 */
const ENTRY_POINTS = ['api', 'workers'];
const MAY_IMPORT_ENTRY_POINTS = ['test', 'composition'];

/** Workflow code is replayed deterministically in a sandbox: no Node built-ins, no I/O modules. */
const DETERMINISTIC = ['workflows', 'domain'];
const SIDE_EFFECT_PACKAGES = [
  'pg',
  'kysely',
  'libsodium-wrappers',
  'pino',
  'prom-client',
  'hono',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
];

/** Queries live in db/ repositories, whose first argument is the db or a transaction; elsewhere code calls them. */
const QUERY_BUILDER_CALLS = ['selectFrom', 'selectNoFrom', 'insertInto', 'replaceInto', 'updateTable', 'deleteFrom', 'mergeInto'];
const QUERY_PACKAGES = ['kysely', 'pg', 'pg-copy-streams'];
const MAY_QUERY = ['db', 'test'];
const QUERIES_LIVE_IN_DB = 'Queries live in db/ repositories (first argument the db or a transaction): call one, or add one there.';
const QUERY_BUILDER_SYNTAX = { selector: `CallExpression[callee.property.name=/^(${QUERY_BUILDER_CALLS.join('|')})$/]`, message: QUERIES_LIVE_IN_DB };

function forbiddenFolders(folder) {
  const allowed = MAY_IMPORT[folder];
  if (folder === 'test') return [];
  if (allowed) return PROJECT_FOLDERS.filter((f) => f !== folder && !allowed.includes(f) && !(folder === 'workflows' && WORKFLOW_TYPE_IMPORTS.includes(f)));
  return PROJECT_FOLDERS.filter((f) => f !== folder && (f === 'test' || (ENTRY_POINTS.includes(f) && !MAY_IMPORT_ENTRY_POINTS.includes(folder))));
}

/**
 * no-restricted-imports for the files of `folder` `depth` levels down (1: folder/x.ts), whose relative imports
 * climb exactly `depth` times to reach another top-level folder. One rule entry per file, as ESLint keeps only
 * the last configured options of a rule: the layer, determinism and query restrictions are combined here.
 */
function restrictedImports(folder, depth) {
  const up = '\\.\\./'.repeat(depth);
  const forbidden = forbiddenFolders(folder);
  const paths = [];
  const patterns = [];
  if (forbidden.length > 0) {
    const may = MAY_IMPORT[folder] && [...MAY_IMPORT[folder], ...(folder === 'workflows' ? WORKFLOW_TYPE_IMPORTS.map((f) => `${f} (types)`) : [])];
    const message = may
      ? `${folder}/ may import ${may.join(', ') || 'no other folder'} (docs/architecture.md, the layers).`
      : `Only ${MAY_IMPORT_ENTRY_POINTS.join(', ')} and a process's own folder import ${ENTRY_POINTS.join(' or ')}; nothing imports test ` +
        '(docs/architecture.md, the layers).';
    patterns.push({ regex: `^${up}(${forbidden.join('|')})(/|$)`, message });
  }
  if (folder === 'workflows') {
    const message = 'Workflows import activities, db and connectors as types only.';
    patterns.push({ regex: `^${up}(${WORKFLOW_TYPE_IMPORTS.join('|')})(/|$)`, allowTypeImports: true, message });
  }
  if (DETERMINISTIC.includes(folder)) {
    paths.push(...nodeBuiltins.map((name) => ({ name, message: 'Workflow code must be deterministic: no Node built-ins.' })));
    patterns.push({ group: SIDE_EFFECT_PACKAGES, message: 'Side effects belong in activities.' });
  }
  if (!MAY_QUERY.includes(folder)) patterns.push({ group: QUERY_PACKAGES, allowTypeImports: true, message: QUERIES_LIVE_IN_DB });
  return ['error', { paths, patterns }];
}

const MAX_DEPTH = 6;
const layerConfigs = PROJECT_FOLDERS.flatMap((folder) =>
  Array.from({ length: MAX_DEPTH }, (_, i) => ({
    files: [`${folder}/${'*/'.repeat(i)}*.ts`],
    rules: { 'no-restricted-imports': restrictedImports(folder, i + 1) },
  })),
);

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
  ...layerConfigs,
  {
    files: ['**/*.ts'],
    ignores: MAY_QUERY.map((folder) => `${folder}/**`),
    rules: { 'no-restricted-syntax': ['error', QUERY_BUILDER_SYNTAX] },
  },
  {
    // A workflow is started, signalled and found through its family's module in workflow-clients/ (its id, search
    // attributes and conflict handling in one place), never from a route, the worker, a service, an activity or a Schedule's module directly.
    files: ['api/**/*.ts', 'workers/**/*.ts', 'composition/**/*.ts', 'services/**/*.ts', 'schedules/**/*.ts', 'activities/**/*.ts'],
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
        // ESLint keeps the last options of a rule: the query rule above is repeated here.
        QUERY_BUILDER_SYNTAX,
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }] },
  },
);
