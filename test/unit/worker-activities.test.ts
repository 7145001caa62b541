import { Client } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Registry } from 'prom-client';
import ts from 'typescript';
import { createWorkerActivities, workerSettingsFrom } from '../../composition/worker-activities';
import { loadConfig } from '../../config/config';
import { createDatabase, type DatabaseHandle } from '../../db/database';
import { createCredentialVault } from '../../security/credential-vault';

const ROOT = resolve(__dirname, '../..');

/**
 * The activity names the workflows call, found by the type checker: every call of a property
 * declared in activities/ (a proxy's method, however the proxy is reached).
 */
function activityNamesCalledByWorkflows(): Set<string> {
  const dir = join(ROOT, 'workflows');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const program = ts.createProgram(files, config!.options);
  const checker = program.getTypeChecker();
  const activitiesDir = join(ROOT, 'activities') + '/';
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const declaration = checker.getSymbolAtLocation(node.expression.name)?.declarations?.[0];
      if (declaration?.getSourceFile().fileName.startsWith(activitiesDir)) names.add(node.expression.name.text);
    }
    ts.forEachChild(node, visit);
  };
  for (const file of files) visit(program.getSourceFile(file)!);
  return names;
}

describe('createWorkerActivities', () => {
  let database: DatabaseHandle;
  afterAll(() => database?.close());

  it('builds every activity a workflow calls, from a production configuration', async () => {
    const config = loadConfig({
      JWT_SECRET: randomBytes(32).toString('hex'),
      CREDENTIALS_KEYS: `v1:${randomBytes(32).toString('base64')}`,
      PAYLOAD_CODEC_KEYS: `p1:${randomBytes(32).toString('base64')}`,
    });
    // Nothing is reached while activities are built: the pool and the client connect lazily.
    database = createDatabase('postgres://127.0.0.1:1/unreached');
    const vault = await createCredentialVault(config.credentialsKeys.keyring);
    const activities: Record<string, unknown> = createWorkerActivities(
      { db: database.db, pool: database.pool, vault, temporal: new Client(), metrics: new Registry() },
      workerSettingsFrom(config),
    );
    const called = [...activityNamesCalledByWorkflows()].sort();
    // The workflows of sync, token refresh, rollout, key rotation, alerting, validation, integration tests, maintenance.
    expect(called.length).toBeGreaterThan(25);
    expect(called.filter((name) => typeof activities[name] !== 'function')).toEqual([]);
  }, 30_000);
});
