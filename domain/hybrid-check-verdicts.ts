import type { DataMode, DataSource } from './connection';
import { hybridCheckVerdict as verdict } from './integration-check-verdicts';
import type { IntegrationCheck } from './integration-test-report';
import type { PlatformId } from './platforms';

/**
 * The verdicts of the hybrid data tests, from what the reads in each mode served. These checks judge
 * LiftOS Connect's own switching (a failing platform must not fail them): mock serves mock, live never
 * hides a failure behind mock, hybrid falls back with a reason and switches on the quality gate, and
 * live and mock data have the same shape.
 */

/** One read through the data modes' path (services/connection-mode-read.ts). */
export interface ModeReadObservation {
  mode: DataMode;
  /** Null when the read failed. */
  source: DataSource | null;
  fallbackReason: string | null;
  records: number;
  error: string | null;
  durationMs: number;
}

/** The shape of a source's records for the same stream and window. */
export interface RecordShape {
  stream: string;
  records: number;
  /** Metric fields non-null in at least one record, sorted. */
  fields: string[];
  outOfWindow: number;
}

export interface HybridObservations {
  platform: PlatformId;
  /** The connection can reach its live platform (connector and credentials). */
  liveTested: boolean;
  /** Reads in mock, live (when there is a live connector), auto and hybrid. */
  modes: ModeReadObservation[];
  /** The source `auto` selects now. */
  expectedAutoSource: DataSource;
  /** Hybrid read with the live side made to fail (simulated outage). */
  outage: ModeReadObservation | null;
  /** Hybrid read with an implausible record added to live's first page; null when live itself was unreadable. */
  qualityRejection: ModeReadObservation | null;
  live: RecordShape | null;
  /** Why live could not be read for the comparison. */
  liveError: string | null;
  mock: RecordShape;
}

export function hybridCheckVerdicts(o: HybridObservations): IntegrationCheck[] {
  const p = o.platform;
  const checks: IntegrationCheck[] = [];
  const byMode = (mode: DataMode) => o.modes.find((m) => m.mode === mode);
  const ms = (r: ModeReadObservation | null | undefined) => r?.durationMs ?? 0;

  // Mode switching: each mode served the source it promises.
  const violations: string[] = [];
  const mock = byMode('mock');
  if (!mock || mock.source !== 'mock') violations.push(`mock mode served ${mock?.source ?? `nothing (${mock?.error ?? 'not read'})`}`);
  const live = byMode('live');
  if (live && live.source === 'mock') violations.push('live mode served mock data instead of surfacing the live failure');
  const hybrid = byMode('hybrid');
  if (hybrid?.source === 'mock' && !hybrid.fallbackReason) violations.push('hybrid mode served mock without a reason');
  const auto = byMode('auto');
  if (auto && auto.source !== null && auto.source !== o.expectedAutoSource)
    violations.push(`auto mode served ${auto.source}, its selection is ${o.expectedAutoSource}`);
  if (auto?.source === 'mock' && !auto.fallbackReason) violations.push('auto mode served mock without a reason');
  const served = Object.fromEntries(o.modes.map((m) => [`${m.mode}_source`, m.source ?? 'failed']));
  checks.push(
    violations.length > 0
      ? verdict(p, 'mode_switching', 'failed', violations.join('; '), {
          kind: 'switching',
          durationMs: o.modes.reduce((s, m) => s + m.durationMs, 0),
          measurements: served,
        })
      : verdict(p, 'mode_switching', 'passed', o.modes.map((m) => `${m.mode} → ${m.source ?? 'failure surfaced'}`).join(', '), {
          durationMs: o.modes.reduce((s, m) => s + m.durationMs, 0),
          measurements: served,
        }),
  );

  // Fallback when live fails.
  if (!o.liveTested || !o.outage) checks.push(verdict(p, 'live_fallback', 'skipped', 'The connection has no live side to fall back from'));
  else if (o.outage.source === 'mock' && o.outage.fallbackReason?.startsWith('live ') && o.outage.records > 0) {
    checks.push(
      verdict(p, 'live_fallback', 'passed', `With live failing, hybrid served ${o.outage.records} mock records (${o.outage.fallbackReason})`, {
        durationMs: ms(o.outage),
        measurements: { records: o.outage.records },
      }),
    );
  } else {
    checks.push(
      verdict(p, 'live_fallback', 'failed', `With live failing, hybrid served ${o.outage.source ?? `nothing: ${o.outage.error}`}`, {
        kind: 'switching',
        durationMs: ms(o.outage),
      }),
    );
  }

  // Switching on the quality threshold.
  if (!o.liveTested) checks.push(verdict(p, 'quality_threshold_switching', 'skipped', 'The connection has no live side'));
  else if (!o.qualityRejection)
    checks.push(verdict(p, 'quality_threshold_switching', 'skipped', `Live could not be read to exercise the quality gate: ${o.liveError ?? 'unknown'}`));
  else if (o.qualityRejection.source === 'mock' && o.qualityRejection.fallbackReason?.startsWith('quality gate')) {
    checks.push(
      verdict(p, 'quality_threshold_switching', 'passed', 'Live data failing the quality gate was replaced by mock', { durationMs: ms(o.qualityRejection) }),
    );
  } else {
    checks.push(
      verdict(
        p,
        'quality_threshold_switching',
        'failed',
        `Live data failing the quality gate was served from ${o.qualityRejection.source ?? `nowhere: ${o.qualityRejection.error}`}`,
        { kind: 'switching', durationMs: ms(o.qualityRejection) },
      ),
    );
  }

  // Consistent data across modes: same stream, same fields, all within the window.
  if (!o.liveTested) checks.push(verdict(p, 'cross_mode_consistency', 'skipped', 'The connection has no live side to compare'));
  else if (!o.live) checks.push(verdict(p, 'cross_mode_consistency', 'skipped', `Live could not be read: ${o.liveError ?? 'unknown'}`));
  else if (o.live.records === 0 || o.mock.records === 0)
    checks.push(verdict(p, 'cross_mode_consistency', 'skipped', `Nothing to compare (${o.live.records} live, ${o.mock.records} mock records)`));
  else {
    const liveShape = o.live;
    const problems: string[] = [];
    if (o.live.stream !== o.mock.stream) problems.push(`live serves ${o.live.stream}, mock ${o.mock.stream}`);
    const onlyLive = o.live.fields.filter((f) => !o.mock.fields.includes(f));
    const onlyMock = o.mock.fields.filter((f) => !liveShape.fields.includes(f));
    if (onlyLive.length > 0) problems.push(`only live has ${onlyLive.join(', ')}`);
    if (onlyMock.length > 0) problems.push(`only mock has ${onlyMock.join(', ')}`);
    if (o.live.outOfWindow + o.mock.outOfWindow > 0) problems.push(`${o.live.outOfWindow} live and ${o.mock.outOfWindow} mock records outside the window`);
    const measurements = {
      stream: o.live.stream,
      live_records: o.live.records,
      mock_records: o.mock.records,
      live_fields: o.live.fields.join(','),
      mock_fields: o.mock.fields.join(','),
    };
    checks.push(
      problems.length > 0
        ? verdict(p, 'cross_mode_consistency', 'failed', problems.join('; '), { kind: 'inconsistent', measurements })
        : verdict(
            p,
            'cross_mode_consistency',
            'passed',
            `Live and mock ${o.live.stream} records have the same fields (${o.live.fields.join(', ') || 'none'})`,
            { measurements },
          ),
    );
  }

  // The real hybrid path, live as it is now.
  if (!hybrid) checks.push(verdict(p, 'hybrid_read', 'skipped', 'Hybrid mode was not read'));
  else if (hybrid.source === null)
    checks.push(verdict(p, 'hybrid_read', 'failed', `Hybrid served nothing: ${hybrid.error ?? 'unknown'}`, { kind: 'error', durationMs: hybrid.durationMs }));
  else {
    checks.push(
      verdict(
        p,
        'hybrid_read',
        'passed',
        hybrid.source === 'live' ? `Served ${hybrid.records} live records` : `Served ${hybrid.records} mock records: ${hybrid.fallbackReason}`,
        {
          durationMs: hybrid.durationMs,
          measurements: { source: hybrid.source, fallback_reason: hybrid.fallbackReason, records: hybrid.records },
        },
      ),
    );
  }
  return checks;
}
