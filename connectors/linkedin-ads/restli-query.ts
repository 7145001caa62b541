import type { DateWindow } from '../../domain/sync';

/**
 * Query values in Rest.li protocol 2.0 syntax (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/protocol-version):
 * the structure (`List(…)`, `(key:value,…)`) stays literal and only the values inside are percent-encoded,
 * so these strings go into the URL as they are, never through form encoding (which would escape the structure).
 */

/** Percent-encodes the characters Rest.li 2.0 reserves for structure, beyond what encodeURIComponent escapes. */
export function restliValue(value: string): string {
  return encodeURIComponent(value).replace(/[()'!*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function restliList(values: readonly string[]): string {
  return `List(${values.map(restliValue).join(',')})`;
}

/** An inclusive range of days, `(start:(year:…,month:…,day:…),end:(…))`. */
export function restliDateRange(window: DateWindow): string {
  const date = (iso: string) => {
    const [year, month, day] = iso.split('-').map(Number);
    return `(year:${year},month:${month},day:${day})`;
  };
  return `(start:${date(window.startDate)},end:${date(window.endDate)})`;
}

/** A query string of values already in Rest.li 2.0 syntax. */
export function restliQuery(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}
