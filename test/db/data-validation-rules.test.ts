import { validateConnectionData, type ValidationFindings } from '../../db/data-validation/validate-connection-data';
import { VALIDATION_RULE_IDS, type ValidationRuleId } from '../../domain/validation-rules';
import { buildCleanCorpus, buildValidationCorpus, CORPUS_AS_OF, type CorpusConnection, sampleItem } from '../setup/validation-corpus';
import { openTestHarness, type TestHarness } from '../setup/test-harness';

describe('the validation rules on a labelled corpus', () => {
  let harness: TestHarness;
  let corpus: CorpusConnection[];
  const findings = new Map<string, ValidationFindings>();

  beforeAll(async () => {
    harness = await openTestHarness();
    corpus = await buildValidationCorpus(harness);
    // The day after the corpus's last day, at noon UTC.
    const now = new Date(`${CORPUS_AS_OF}T12:00:00Z`);
    for (const c of corpus)
      findings.set(c.label, await validateConnectionData(harness.database.db, { connection: c.connection, source: 'live', asOf: CORPUS_AS_OF, now }));
  }, 120_000);
  afterAll(() => harness.close());

  it('flags every planted defect and nothing else: precision and recall 1 for each rule', () => {
    const table: Record<string, { planted: number; flagged: number; tp: number; fp: number; fn: number; precision: string; recall: string }> = {};
    const misses: string[] = [];
    for (const rule of VALIDATION_RULE_IDS) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (const c of corpus) {
        const result = findings.get(c.label)!.rules.find((r) => r.ruleId === rule)!;
        // Samples list every flagged item as long as there are at most MAX_RULE_SAMPLES of them.
        expect({ label: c.label, rule, violations: result.violations }).toEqual({ label: c.label, rule, violations: result.samples.length });
        const flagged = new Set(result.samples.map(sampleItem));
        const expected = new Set(c.expected[rule] ?? []);
        for (const item of flagged) {
          if (expected.has(item)) tp++;
          else {
            fp++;
            misses.push(`${rule} flagged ${item} on ${c.label}: ${result.samples.find((s) => sampleItem(s) === item)?.detail}`);
          }
        }
        for (const item of expected) {
          if (!flagged.has(item)) {
            fn++;
            misses.push(`${rule} missed ${item} on ${c.label}`);
          }
        }
      }
      const planted = tp + fn;
      table[rule] = { planted, flagged: tp + fp, tp, fp, fn, precision: ratio(tp, tp + fp), recall: ratio(tp, planted) };
    }
    console.table(table);
    expect(misses).toEqual([]);
    for (const rule of VALIDATION_RULE_IDS) {
      expect({ rule, planted: table[rule]!.planted > 0 }).toEqual({ rule, planted: true });
      expect({ rule, precision: table[rule]!.precision, recall: table[rule]!.recall }).toEqual({ rule, precision: '1.00', recall: '1.00' });
    }
  });

  it('scores clean connections Excellent and the defective ones lower, by the severity of what failed', () => {
    for (const c of corpus) {
      const f = findings.get(c.label)!;
      const failed = f.rules.filter((r) => !r.passed).map((r) => r.ruleId);
      expect({ label: c.label, failed: failed.sort() }).toEqual({ label: c.label, failed: (Object.keys(c.expected) as ValidationRuleId[]).sort() });
      if (failed.length === 0) expect({ label: c.label, score: f.score, level: f.level }).toEqual({ label: c.label, score: 100, level: 'excellent' });
      else expect(f.score).toBeLessThan(100);
      expect(f.recommendations.map((r) => r.ruleId).sort()).toEqual([...failed].sort());
    }
    const missing = findings.get('meta_business missing required fields')!;
    // Critical (3.0) failed out of the applicable weights 3 + 2 × 2 + 5 × 1.5 = 14.5 (cross-platform needs 3 ad connections in the org).
    expect(missing.rulesApplicable).toBe(8);
    expect(missing.score).toBeCloseTo((100 * (14.5 - 3)) / 14.5, 1);
    expect(missing.metrics.completeness.fields.entity_name).toBeLessThan(100);
    expect(missing.metrics.completeness.overall).toBeLessThan(100);
  });

  it('flags nothing on clean data of many seeds (no false positives beyond the labelled corpus)', async () => {
    const now = new Date(`${CORPUS_AS_OF}T12:00:00Z`);
    const clean = await buildCleanCorpus(harness, 5);
    const flagged: string[] = [];
    for (const connection of clean) {
      const f = await validateConnectionData(harness.database.db, { connection, source: 'live', asOf: CORPUS_AS_OF, now });
      for (const r of f.rules.filter((x) => !x.passed)) flagged.push(`${connection.platform} ${connection.account_id}: ${r.ruleId} ${r.message}`);
      if (connection.platform !== 'klaviyo') expect(f.rules.find((r) => r.ruleId === 'cross_platform_consistency')!.applicable).toBe(true);
    }
    console.log(`clean corpus: ${clean.length} connections, ${flagged.length} rule failures`);
    expect(flagged).toEqual([]);
  }, 60_000);

  it('reports the metrics analysis: freshness, completeness, consistency, reliability', () => {
    const clean = findings.get('clean meta_business')!;
    expect(clean.metrics.freshness).toMatchObject({
      latestDate: '2026-11-01',
      earliestDate: '2026-09-03',
      spanDays: 60,
      daysWithData: 60,
      freshnessScore: 100,
    });
    expect(clean.metrics.completeness).toEqual({ fields: { entity_name: 100, impressions: 100, clicks: 100, spend: 100, currency: 100 }, overall: 100 });
    expect(clean.metrics.consistency).toMatchObject({ rows: 60 * 18, relationshipViolations: 0, rangeViolations: 0, anomalousDays: 0, consistencyScore: 100 });
    expect(clean.metrics.reliability).toMatchObject({ connectionStatus: 'active', syncSuccessRate: null, syncsConsidered: 0 });
    const stale = findings.get('stale meta_business')!;
    expect(stale.metrics.freshness.latestDate).toBe('2026-10-27');
    expect(stale.metrics.freshness.freshnessScore).toBe(100 - 15 * 5);
    // Cross-platform applies only where an org has three advertising connections.
    expect(clean.rules.find((r) => r.ruleId === 'cross_platform_consistency')!.applicable).toBe(true);
    expect(stale.rules.find((r) => r.ruleId === 'cross_platform_consistency')!.applicable).toBe(false);
  });
});

function ratio(a: number, b: number): string {
  return b === 0 ? 'n/a' : (a / b).toFixed(2);
}
