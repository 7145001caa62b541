/**
 * The shape of every fan-out to child workflows here (bulk sync, validate-all): at most
 * `concurrency` running at once, in order of the items. Deterministic (domain/bounded-concurrency.ts).
 */
export { forEachBounded } from '../domain/bounded-concurrency';
