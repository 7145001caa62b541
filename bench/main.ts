import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { postgresServerVersion } from '../db/benchmark-queries';
import { startBenchInfrastructure } from './bench-infrastructure';
import { type IngestBenchmarkResult, runIngestBenchmark } from './ingest-benchmark';
import { type StartBenchmarkResult, runStartBenchmark } from './workflow-start-benchmark';
import { type ValidationBenchmarkResult, runValidationBenchmark } from './validation-benchmark';

/**
 * `npm run bench [-- --rows 200000 --large-rows 1000000 --starts 200 --concurrency 16 --rounds 3 --validation-rows 1000000 --only ingest|starts|validation --readme]`
 * Speed as ratios against baselines run in the same process, because these machines are noisy.
 * `--readme` writes the figures into README.md between the bench markers.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '200000' },
      // One sync at scale (issue #4's figure); 0 skips it.
      'large-rows': { type: 'string', default: '1000000' },
      starts: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '3' },
      readme: { type: 'boolean', default: false },
      'validation-rows': { type: 'string', default: '1000000' },
      /** Run one benchmark only: ingest, starts or validation. */
      only: { type: 'string' },
    },
  });
  const infra = await startBenchInfrastructure();
  try {
    const postgresVersion = await postgresServerVersion(infra.database.db);
    const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL ${postgresVersion}, Temporal dev server (SQLite)`;
    console.log(`machine: ${machine}`);

    const runs = (name: string) => values.only === undefined || values.only === name;
    const ingest = runs('ingest') ? await runIngestBenchmark(infra, { rows: Number(values.rows), rounds: Number(values.rounds) }) : undefined;
    if (ingest) console.log(formatIngest(ingest));
    const largeRows = Number(values['large-rows']);
    const large = runs('ingest') && largeRows > 0 ? await runIngestBenchmark(infra, { rows: largeRows, rounds: 1 }) : undefined;
    if (large) console.log(formatIngest(large));
    const starts = runs('starts')
      ? await runStartBenchmark(infra, { starts: Number(values.starts), concurrency: Number(values.concurrency), rounds: Number(values.rounds) })
      : undefined;
    if (starts) console.log(formatStarts(starts));
    const validation = runs('validation')
      ? await runValidationBenchmark(infra, { rows: Number(values['validation-rows']), rounds: Number(values.rounds) })
      : undefined;
    if (validation) console.log(formatValidation(validation));

    // The README shows a complete run only.
    if (values.readme && ingest && starts && validation) writeReadme(machine, [ingest, ...(large ? [large] : [])], starts, validation);
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

function formatValidation(r: ValidationBenchmarkResult): string {
  const s = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  return [
    `data validation: ${n(r.rows)} rows of one Meta connection (ten rules, set-based SQL)`,
    `  rows generated and vacuumed: ${r.generateSeconds.toFixed(1)} s`,
    `  validation, clean data:      ${s(r.cleanSeconds)} s   (target < 5 s; score ${r.cleanScore})`,
    `  validation, planted defects: ${s(r.defectSeconds)} s   (score ${r.defectScore}; failed: ${r.failedRules.join(', ')})`,
  ].join('\n');
}

function writeReadme(machine: string, ingests: IngestBenchmarkResult[], starts: StartBenchmarkResult, validation: ValidationBenchmarkResult): void {
  const path = resolve(__dirname, '..', 'README.md');
  const readme = readFileSync(path, 'utf8');
  const block = [
    '<!-- bench:start -->',
    `Machine: ${machine}. Run on ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '```',
    ...ingests.flatMap((ingest) => [formatIngest(ingest), '']),
    formatStarts(starts),
    '',
    formatValidation(validation),
    '```',
    '<!-- bench:end -->',
  ].join('\n');
  writeFileSync(path, readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, block));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
