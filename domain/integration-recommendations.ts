import type { CheckFailureKind, IntegrationCheckId } from './integration-test-report';
import type { PlatformId } from './platforms';

/**
 * What to do about a failed check, by the check and the kind of fault behind it. Pure: the
 * suite's report and the API say the same thing.
 */
export function integrationRecommendation(check: IntegrationCheckId, kind: CheckFailureKind | null, platform: PlatformId): string {
  switch (check) {
    case 'api_connectivity':
      return `${platform} did not answer: check its base URL, DNS and outbound network access from the workers; the platform may be down.`;
    case 'authentication':
      return `${platform} rejected the credentials: re-authorise the connection (new token or API key) and check the granted scopes.`;
    case 'data_retrieval':
      return kind === 'empty'
        ? `${platform} returned no records for the window: check the connected account id, that the account has activity in the period, and the token's access to that account.`
        : `${platform} answered data we cannot read: compare its API version with the connector's; file a connector bug with the failing request.`;
    case 'response_time':
      return `${platform} answers slowly: sync outside its busy hours, lower the page size or raise the request timeout; a persistent slowdown is worth a ticket with the platform.`;
    case 'throughput':
      return kind === 'rate_limited'
        ? `${platform} throttles this app: spread syncs over time (fewer concurrent bulk syncs, a lower sync frequency) or ask the platform for a higher quota.`
        : `Records arrive slowly from ${platform}: use larger pages and fewer streams per sync, or sync less often.`;
    case 'rate_limits':
      return `${platform} answered 429: lower concurrency for this platform and honour its Retry-After; check that no other client shares the app's quota.`;
    case 'quality_validation':
      return `${platform}'s data fails quality checks: hybrid mode will serve mock data instead; inspect the violations listed and run data validation on synced rows.`;
    case 'availability':
      return `${platform} is failing requests (5xx or no answer): hybrid or auto mode keeps data flowing from mock; retry later and watch the platform's status page.`;
    case 'error_rate':
      return `Too many requests or syncs of this connection fail: read the last error in sync history; switch the connection to hybrid mode until the platform recovers.`;
    case 'last_successful_sync':
      return `No recent successful sync: run a sync now and check its error; enable a sync schedule if the connection is manual.`;
    case 'mode_switching':
      return 'The data modes did not serve the source they promise: this is a defect in LiftOS Connect, please report it with this report.';
    case 'live_fallback':
      return 'Hybrid mode did not fall back to mock when live failed: this is a defect in LiftOS Connect, please report it with this report.';
    case 'quality_threshold_switching':
      return 'Hybrid mode kept live data that fails the quality gate: this is a defect in LiftOS Connect, please report it with this report.';
    case 'cross_mode_consistency':
      return `Live and mock data of ${platform} differ in shape: analyses mixing the modes will not line up; report the differing fields.`;
    case 'hybrid_read':
      return 'Hybrid mode could not serve data from either source: check the connection and the mock source for this platform.';
  }
}
