import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { startBenchInfrastructure } from './bench-infrastructure';
import { type IngestBenchmarkResult, runIngestBenchmark } from './ingest-benchmark';
import { type StartBenchmarkResult, runStartBenchmark } from './workflow-start-benchmark';

/**
 * `npm run bench [-- --rows 200000 --starts 200 --concurrency 16 --rounds 3 --readme]`
 * Speed as ratios against baselines run in the same process, because these machines are noisy.
 * `--readme` writes the figures into README.md between the bench markers.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '200000' },
      starts: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '3' },
      readme: { type: 'boolean', default: false },
    },
  });
  const infra = await startBenchInfrastructure();
  try {
    const postgresVersion = (await sql<{ v: string }>`select current_setting('server_version') as v`.execute(infra.database.db)).rows[0]!.v;
    const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL ${postgresVersion}, Temporal dev server (SQLite)`;
    console.log(`machine: ${machine}`);

    const ingest = await runIngestBenchmark(infra, { rows: Number(values.rows), rounds: Number(values.rounds) });
    console.log(formatIngest(ingest));
    const starts = await runStartBenchmark(infra, { starts: Number(values.starts), concurrency: Number(values.concurrency), rounds: Number(values.rounds) });
    console.log(formatStarts(starts));

    if (values.readme) writeReadme(machine, ingest, starts);
  } finally {
    await infra.close();
  }
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

function formatIngest(r: IngestBenchmarkResult): string {
  return [
    `sync ingest: ${n(r.rows)} rows (Google Ads emulator → connectionSyncWorkflow → Postgres)`,
    `  raw COPY of the same rows:  ${n(r.copyRowsPerSecond)} rows/s`,
    `  sync through the workflow:  ${n(r.syncRowsPerSecond)} rows/s`,
    `  ratio sync / COPY:          ${r.ratio.toFixed(2)}   (target ≥ 0.60)`,
    `  worker process peak RSS:    ${r.peakRssMiB} MiB; RSS after each sync: ${r.rssAfterSyncMiB.join(', ')} MiB`,
  ].join('\n');
}

function formatStarts(r: StartBenchmarkResult): string {
  return [
    `workflow starts: ${n(r.starts)} per path, concurrency ${r.concurrency}`,
    `  bare Temporal client loop:  ${n(r.bareStartsPerSecond)} starts/s`,
    `  through the API (HTTP):     ${n(r.apiStartsPerSecond)} starts/s`,
    `  ratio API / bare:           ${r.ratio.toFixed(2)}   (target ≥ 0.90)`,
  ].join('\n');
}

function writeReadme(machine: string, ingest: IngestBenchmarkResult, starts: StartBenchmarkResult): void {
  const path = resolve(__dirname, '..', 'README.md');
  const readme = readFileSync(path, 'utf8');
  const block = ['<!-- bench:start -->', `Machine: ${machine}. Run on ${new Date().toISOString().slice(0, 10)}.`, '', '```', formatIngest(ingest), '', formatStarts(starts), '```', '<!-- bench:end -->'].join('\n');
  writeFileSync(path, readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, block));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
