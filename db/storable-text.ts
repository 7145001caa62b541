/**
 * Text as Postgres can store it. text and jsonb cannot hold U+0000 at all, and an unpaired UTF-16
 * surrogate has no UTF-8 form (jsonb rejects its escape): NUL is stripped, a lone surrogate becomes
 * U+FFFD. For text that comes from outside (platform records, platform error messages) on its way
 * into any column; db/storable-metric-record.ts applies the same to every field of a metric record.
 */

// eslint-disable-next-line no-control-regex -- NUL is what it looks for
export const UNSTORABLE_TEXT_SUSPECT = /[\u0000\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function storableText(value: string): string {
  if (!UNSTORABLE_TEXT_SUSPECT.test(value)) return value;
  return value.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\ufffd');
}

export function storableOptionalText<T extends string | null | undefined>(value: T): T {
  return (typeof value === 'string' ? storableText(value) : value) as T;
}

/** JSON for a jsonb column, every string in it (values and keys) storable. */
export function storableJson(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    if (typeof v === 'string') return storableText(v);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const keys = Object.keys(v);
    if (!keys.some((k) => UNSTORABLE_TEXT_SUSPECT.test(k))) return v;
    return Object.fromEntries(Object.entries(v).map(([k, inner]) => [storableText(k), inner]));
  });
}
