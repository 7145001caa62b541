import { memoryBatchId, memoryRecordsOf, type MemorySourceRow } from '../../domain/memory-record';

const row: MemorySourceRow = {
  connectionId: 'c-1',
  platform: 'google_ads',
  stream: 'ad_performance',
  entityId: '1001',
  entityName: 'Ad 1',
  parentId: '10',
  date: '2026-02-03',
  currency: 'EUR',
  metrics: { impressions: 900, clicks: 30, spend: 12.5, conversions: 0, revenue: null },
  source: 'live',
};

describe('memory records', () => {
  it('turns a metrics row into one observation per present metric, with its lineage', () => {
    const records = memoryRecordsOf(row, 'log-1');
    expect(records.map((r) => [r.metric, r.value, r.unit])).toEqual([
      ['impressions', 900, null],
      ['clicks', 30, null],
      ['spend', 12.5, 'EUR'],
      ['conversions', 0, null],
    ]);
    expect(records[0]).toEqual({
      entity: 'google_ads:ad:1001',
      entity_type: 'ad',
      entity_name: 'Ad 1',
      parent_entity: 'google_ads:ad_set:10',
      metric: 'impressions',
      value: 900,
      unit: null,
      timestamp: '2026-02-03T00:00:00.000Z',
      source: 'live',
      lineage: { connection_id: 'c-1', platform: 'google_ads', sync_log_id: 'log-1', stream: 'ad_performance', raw_entity_id: '1001' },
    });
  });

  it('gives nothing for a row without metrics, and batch ids that are the same every time', () => {
    expect(memoryRecordsOf({ ...row, stream: 'contacts', metrics: {} }, 'log-1')).toEqual([]);
    expect(memoryBatchId('log-1', 3)).toBe(memoryBatchId('log-1', 3));
    expect(memoryBatchId('log-1', 3)).not.toBe(memoryBatchId('log-1', 4));
  });
});
