import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { adPerformanceRowCount } from '../../connectors/mock/generator';
import { createDatabase, type DatabaseHandle } from '../../db/database';
import { listSyncLogStreams } from '../../db/repositories/sync-log-streams';
import { latestSyncLog } from '../../db/repositories/sync-logs';
import { signAccessToken } from '../../security/access-token';
import { freePort, waitFor } from '../../scripts/service-process';

const ROOT = resolve(__dirname, '..', '..');
const WINDOW = { startDate: '2025-01-01', endDate: '2025-12-31' };
// 10 × 4 × 7 = 280 ads a day over 365 days: 102,200 rows, in pages of 2,000.
const SHAPE = { campaigns: 10, adSetsPerCampaign: 4, adsPerAdSet: 7 };
const PAGE_SIZE = 2_000;

/**
 * The crash drills, on a stack of its own started by ./scripts/start (its own Postgres, Temporal
 * dev server, worker and API: the shared test infrastructure must not be restarted). During one
 * live sync of 102,200 rows: the worker is SIGKILLed twice, then Postgres is killed, then the
 * Temporal dev server. The start script restarts each; the sync completes with every row exactly
 * once and its counters exact, the audit says where it resumed, and the API never went down.
 * Then the API itself is killed and comes back; Ctrl-C stops the stack cleanly.
 */
describe('crash drills under ./scripts/start', () => {
  const dataDir = join(ROOT, '.data', `drill-${randomUUID().slice(0, 8)}`);
  const jwtSecret = randomBytes(32).toString('hex');
  let stack: ChildProcess;
  let output = '';
  let stackExit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let emulator: RunningEmulator;
  let database: DatabaseHandle;
  let apiUrl: string;

  /** The pid the start script last reported for a process ("<name> running|restarted (pid N)"). */
  const pidOf = (name: string) => {
    const pids = [...output.matchAll(new RegExp(`\\[start\\] ${name} (?:running|restarted) \\(pid (\\d+)\\)`, 'g'))].map((m) => Number(m[1]));
    if (!pids.length) throw new Error(`no pid reported for ${name}`);
    return pids.at(-1)!;
  };
  /** Waits for a console line of the stack; on a timeout the error shows the stack's last output. */
  const printed = (pattern: RegExp, what: string) =>
    waitFor(
      async () => pattern.test(output),
      (ok) => ok,
      { timeoutMs: 60_000, what },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- the stack's output ends with:\n${output.slice(-3_000)}`);
    });
  /** The stack itself never stops because one of its processes did. */
  const expectStackUp = () =>
    expect({ running: stack.exitCode === null && stack.signalCode === null, stopping: output.includes('Stopping...') }).toEqual({
      running: true,
      stopping: false,
    });

  beforeAll(async () => {
    mkdirSync(dataDir, { recursive: true });
    emulator = await startEmulator('google_ads', { pageSize: PAGE_SIZE, shape: SHAPE });
    const [postgresPort, temporalPort, uiPort, apiPort, apiMetricsPort, workerMetricsPort, sdkMetricsPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(postgresPort),
      TEMPORAL_DEV_SERVER_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      PORT: String(apiPort),
      API_METRICS_PORT: String(apiMetricsPort),
      WORKER_METRICS_PORT: String(workerMetricsPort),
      TEMPORAL_SDK_METRICS_PORT: String(sdkMetricsPort),
      JWT_SECRET: jwtSecret,
      GOOGLE_ADS_BASE_URL: emulator.url,
      ALLOW_LOOPBACK_PLATFORM_HOSTS: 'true',
      // A killed worker's attempt is retried 5 s after its last heartbeat (30 s by default).
      SYNC_HEARTBEAT_TIMEOUT_SECONDS: '5',
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    delete env.TEMPORAL_ADDRESS;
    // Its own process group: the drill signals the stack as a terminal's Ctrl-C would, and nothing else.
    stack = spawn(join(ROOT, 'scripts', 'start'), [], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    stack.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    stack.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    stackExit = new Promise((done) => stack.once('exit', (code, signal) => done({ code, signal })));
    await printed(/LiftOS Connect is running\./, 'the stack up');
    apiUrl = `http://127.0.0.1:${apiPort}`;
    database = createDatabase(`postgres://postgres:postgres@127.0.0.1:${postgresPort}/liftos`, { max: 2, onIdleError: () => {} });
  }, 120_000);

  afterAll(async () => {
    await database?.close().catch(() => {});
    if (stack?.exitCode === null && stack.signalCode === null) {
      process.kill(-stack.pid!, 'SIGINT');
      await Promise.race([stackExit, new Promise((r) => setTimeout(r, 30_000))]);
      if (stack.exitCode === null && stack.signalCode === null) process.kill(-stack.pid!, 'SIGKILL');
    }
    await emulator?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  async function api(method: string, path: string, token: string, json?: unknown) {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it('completes a 100k-row sync exactly once through two worker kills, a Postgres restart and a Temporal restart', async () => {
    const started = Date.now();
    const token = await signAccessToken({ orgId: `org-drill-${randomUUID().slice(0, 8)}`, userId: 'drill', role: 'admin' }, jwtSecret, 3600);
    const created = await api('POST', '/api/v1/platform-connections/connections', token, {
      platform: 'google_ads',
      data_mode: 'live',
      credentials: emulator.credentials,
      account_id: emulator.shape.accountId,
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const apiPid = pidOf('api');

    // Pages slow enough that each drill lands mid-sync, at a measured point.
    emulator.faults.set({ latencyMs: 60 });
    expect(
      (await api('POST', `/api/v1/platform-connections/connections/${id}/sync`, token, { start_date: WINDOW.startDate, end_date: WINDOW.endDate })).status,
    ).toBe(202);
    const elapsed: string[] = [];
    const mark = (what: string) => elapsed.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const written = () => latestSyncLog(database.db, id).then((log) => log?.records_written ?? 0);
    const reach = async (rows: number) => {
      const n = await waitFor(written, (w) => w >= rows, { timeoutMs: 90_000, what: `${rows} rows written` });
      mark(`${rows} rows`);
      return n;
    };
    const atDrill: number[] = [];

    // 1 and 2: the worker, SIGKILLed twice; the start script restarts it, the sync resumes.
    for (const [i, rows] of [10_000, 30_000].entries()) {
      atDrill.push(await reach(rows));
      const pid = pidOf('worker');
      process.kill(pid, 'SIGKILL');
      await printed(new RegExp(`\\[start\\] worker \\(pid ${pid}\\) killed by SIGKILL; restarting in \\d+ s`), `worker ${i + 1} reported`);
      await printed(new RegExp(`\\[start\\] worker restarted \\(pid (?!${pid}\\))\\d+\\)`), `worker ${i + 1} restarted`);
      expectStackUp();
      mark(`worker kill ${i + 1}`);
    }

    // 3: Postgres, killed (immediate shutdown: every connection drops, recovery on start).
    atDrill.push(await reach(50_000));
    const postmaster = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(postmaster).toBe(pidOf('postgres'));
    process.kill(postmaster, 'SIGQUIT');
    await printed(new RegExp(`\\[start\\] postgres \\(pid ${postmaster}\\) (exited|killed)[^;]*; restarting in \\d+ s`), 'postgres reported');
    mark('postgres down');
    await printed(/\[start\] postgres restarted/, 'postgres restarted');
    expectStackUp();
    mark('postgres restart');

    // 4: the Temporal dev server, SIGKILLed; its SQLite file keeps the workflow's history.
    atDrill.push(await reach(70_000));
    const temporalPid = pidOf('temporal dev server');
    process.kill(temporalPid, 'SIGKILL');
    await printed(new RegExp(`\\[start\\] temporal dev server \\(pid ${temporalPid}\\) killed by SIGKILL; restarting in \\d+ s`), 'temporal reported');
    await printed(/\[start\] temporal dev server restarted/, 'temporal restarted');
    expectStackUp();
    mark('temporal restart');

    const done = await waitFor(
      () => latestSyncLog(database.db, id),
      (log) => log?.status !== 'running',
      { timeoutMs: 120_000, what: 'sync finished' },
    );
    mark('sync finished');
    const expectedRows = adPerformanceRowCount(emulator.shape, WINDOW);
    expect(expectedRows).toBe(102_200);
    const pages = Math.ceil(expectedRows / PAGE_SIZE);
    // Each drill landed mid-sync.
    for (const rows of atDrill) expect(rows).toBeLessThan(expectedRows);
    expect(done).toMatchObject({ status: 'completed', error: null, pages, records_fetched: expectedRows, records_written: expectedRows });
    const counted = await sql<{ rows: string; keys: string }>`
      select count(*) as rows, count(distinct (stream, entity_id, date)) as keys from marketing_metrics where connection_id = ${id}`.execute(database.db);
    expect(counted.rows[0]).toEqual({ rows: String(expectedRows), keys: String(expectedRows) });
    // The stream's own counters agree with the log's, and it completed once, with its last page.
    const [stream] = await listSyncLogStreams(database.db, [done!.id]);
    expect(stream).toMatchObject({
      stream: 'ad_performance',
      pages,
      records_fetched: expectedRows,
      records_written: expectedRows,
      bytes_written: done!.bytes_written,
    });
    expect(stream!.completed_at).not.toBeNull();

    // What happened, in the audit: one start, one end, and a resume for each interrupted attempt.
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('target_id', '=', id)
      .where('action', 'like', 'sync.%')
      .orderBy('id')
      .execute();
    const actions = audit.map((a) => a.action);
    expect(actions[0]).toBe('sync.start');
    expect(actions.at(-1)).toBe('sync.end');
    expect(actions.filter((a) => a === 'sync.start' || a === 'sync.end')).toHaveLength(2);
    const resumes = audit.filter((a) => a.action === 'sync.resume').map((a) => a.details as { attempt: number; records_written: number });
    // Two worker kills and the Postgres restart each failed an attempt; the Temporal restart may not have.
    expect(resumes.length).toBeGreaterThanOrEqual(3);
    for (const resume of resumes) expect(resume.attempt).toBeGreaterThan(1);
    expect(resumes.map((r) => r.records_written)).toEqual([...resumes.map((r) => r.records_written)].sort((a, b) => a - b));

    // The others kept running: the API was never restarted by the drills above, and answers.
    expect(pidOf('api')).toBe(apiPid);
    expect(output).not.toMatch(/\[start\] api \(pid/);
    expect((await fetch(`${apiUrl}/health`)).status).toBe(200);
    // The API, killed too, comes back on its port.
    process.kill(apiPid, 'SIGKILL');
    await printed(new RegExp(`\\[start\\] api \\(pid ${apiPid}\\) killed by SIGKILL; restarting in 1 s`), 'api reported');
    await printed(/\[start\] api restarted/, 'api restarted');
    await waitFor(
      () => fetch(`${apiUrl}/health`).then((r) => r.status),
      (status) => status === 200,
      { timeoutMs: 60_000, what: 'API back' },
    );
    expectStackUp();
    mark('api restart');
    console.log(`crash drills: ${expectedRows} rows, drills at ${atDrill.join(', ')} rows, ${resumes.length} resumes; ${elapsed.join(', ')}`);

    // Ctrl-C still stops everything, in order, and the stack exits cleanly.
    process.kill(-stack.pid!, 'SIGINT');
    expect(await stackExit).toEqual({ code: 0, signal: null });
    expect(output).toContain('Stopping...');
    expect(output.slice(output.indexOf('Stopping...'))).not.toMatch(/restart/);
  }, 240_000);
});
