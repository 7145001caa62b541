import { DataSourceName, DateRange, IsoDate, MAX_DATE_RANGE_DAYS, OptionalDateRange, pageQuery, Uuid } from '../../api/request-schemas';

/** The fields a parse refuses, as the API's error details name them. */
function refusedFields(result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }): string[] {
  return result.success ? [] : result.error!.issues.map((i) => i.path.join('.'));
}

describe('IsoDate', () => {
  it.each(['2024-02-29', '2000-02-29', '2023-02-28', '2023-12-31', '2023-01-31', '2023-04-30', '1999-01-01'])('accepts the calendar day %s', (date) => {
    expect(IsoDate.safeParse(date).success).toBe(true);
  });

  it.each([
    ['2024-02-30', 'no 30 February'],
    ['2023-02-29', '2023 is not a leap year'],
    ['1900-02-29', 'a century is not a leap year unless divisible by 400'],
    ['2023-04-31', 'April has 30 days'],
    ['2023-13-01', 'no month 13'],
    ['2023-00-10', 'no month 0'],
    ['2023-01-00', 'no day 0'],
    ['2023-01-32', 'no day 32'],
    ['2023-1-01', 'not YYYY-MM-DD'],
    ['2023-01-01T00:00:00Z', 'a timestamp, not a date'],
    ['', 'empty'],
  ])('refuses %s (%s)', (date) => {
    expect(IsoDate.safeParse(date).success).toBe(false);
  });
});

describe('DateRange', () => {
  it('accepts a range in order, a single day, and a leap day', () => {
    expect(DateRange.safeParse({ start_date: '2024-02-01', end_date: '2024-02-29' }).success).toBe(true);
    expect(DateRange.safeParse({ start_date: '2024-02-29', end_date: '2024-02-29' }).success).toBe(true);
  });

  it('refuses an impossible date naming its field', () => {
    expect(refusedFields(DateRange.safeParse({ start_date: '2024-02-30', end_date: '2024-03-10' }))).toEqual(['start_date']);
    expect(refusedFields(DateRange.safeParse({ start_date: '2023-02-01', end_date: '2023-02-29' }))).toEqual(['end_date']);
  });

  it('refuses a range out of order on start_date', () => {
    expect(refusedFields(DateRange.safeParse({ start_date: '2024-03-02', end_date: '2024-03-01' }))).toEqual(['start_date']);
  });

  it(`allows at most ${MAX_DATE_RANGE_DAYS} days between start_date and end_date, refusing more on end_date`, () => {
    expect(DateRange.safeParse({ start_date: '2023-01-01', end_date: '2025-12-31' }).success).toBe(true);
    // 2023-01-01 + 1098 days = 2026-01-03.
    expect(DateRange.safeParse({ start_date: '2023-01-01', end_date: '2026-01-03' }).success).toBe(true);
    expect(refusedFields(DateRange.safeParse({ start_date: '2023-01-01', end_date: '2026-01-04' }))).toEqual(['end_date']);
  });

  it('needs both dates; the optional range takes both or neither', () => {
    expect(refusedFields(DateRange.safeParse({ start_date: '2024-01-01' }))).toEqual(['end_date']);
    expect(OptionalDateRange.safeParse({}).success).toBe(true);
    expect(OptionalDateRange.safeParse({ start_date: '2024-02-29', end_date: '2024-03-01' }).success).toBe(true);
    expect(refusedFields(OptionalDateRange.safeParse({ start_date: '2024-01-01' }))).toEqual(['end_date']);
    expect(refusedFields(OptionalDateRange.safeParse({ start_date: '2024-02-30', end_date: '2024-03-01' }))).toEqual(['start_date']);
    expect(refusedFields(OptionalDateRange.safeParse({ start_date: '2020-01-01', end_date: '2024-01-01' }))).toEqual(['end_date']);
  });
});

describe('shared query fields', () => {
  it('pages by limit within its maximum and a non-negative offset', () => {
    const Page = pageQuery(200, 50);
    expect(Page.parse({})).toEqual({ limit: 50, offset: 0 });
    expect(Page.parse({ limit: '200', offset: '10' })).toEqual({ limit: 200, offset: 10 });
    expect(refusedFields(Page.safeParse({ limit: '201' }))).toEqual(['limit']);
    expect(refusedFields(Page.safeParse({ limit: '0' }))).toEqual(['limit']);
    expect(refusedFields(Page.safeParse({ offset: '-1' }))).toEqual(['offset']);
  });

  it('knows the two data sources and uuid ids', () => {
    expect(DataSourceName.options).toEqual(['live', 'mock']);
    expect(DataSourceName.safeParse('hybrid').success).toBe(false);
    expect(Uuid.safeParse('1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b').success).toBe(true);
    expect(Uuid.safeParse('not-a-uuid').success).toBe(false);
  });
});
