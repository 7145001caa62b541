import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { LIVE_CONNECTORS } from '../connectors/live-connectors';
import { createValidationReportGate } from '../db/validation-report-gate';
import { appendAudit } from '../db/repositories/audit-log';
import {
  findRolloutById,
  otherRolloutsInProgress,
  rolloutExposedConnections,
  rolloutScopeConnections,
  saveRolloutState,
  syncOutcomesSince,
} from '../db/repositories/rollouts';
import { pingPostgres } from '../db/repositories/health';
import { platformRequestTotalsOfSyncs } from '../db/repositories/sync-log-streams';
import type { Database } from '../db/schema';
import { RolloutFailureType } from '../domain/errors';
import type { PlatformId } from '../domain/platforms';
import type { RolloutActor, RolloutEvent, RolloutState, StepMeasurement } from '../domain/rollout';
import { summarizeStep } from '../domain/rollout-analysis';

export interface PreRolloutCheck {
  name: 'postgres' | 'temporal_workers' | 'data_quality' | 'resources' | 'platform_reachability';
  ok: boolean;
  detail: string;
}

export interface PreRolloutValidation {
  ok: boolean;
  /** Why the start is blocked (empty when ok). */
  reasons: string[];
  warnings: string[];
  checks: PreRolloutCheck[];
}

export interface RolloutActivityDeps {
  db: Kysely<Database>;
  /** For the workers check (pollers on the rollout's task queue); skipped when absent. */
  temporal?: Client;
  /** Where each platform's API is (emulators in tests); the connector's default otherwise. */
  platformBaseUrls?: Partial<Record<PlatformId, string>>;
  reachabilityTimeoutMs?: number;
  now?: () => Date;
}

export function createRolloutActivities(deps: RolloutActivityDeps) {
  const now = deps.now ?? (() => new Date());
  const reportGate = createValidationReportGate({ db: deps.db, now });

  async function loadRollout(rolloutId: string) {
    const rollout = await findRolloutById(deps.db, rolloutId);
    if (!rollout) throw ApplicationFailure.create({ type: RolloutFailureType.RolloutNotFound, message: `Rollout ${rolloutId} not found`, nonRetryable: true });
    return rollout;
  }

  async function reachable(url: string): Promise<string | null> {
    try {
      // Any HTTP answer means the platform is reachable; auth is each connection's own business.
      await fetch(url, { method: 'GET', signal: AbortSignal.timeout(deps.reachabilityTimeoutMs ?? 3_000) });
      return null;
    } catch (err) {
      return err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    }
  }

  return {
    /** Blocks a start with reasons: system health, data quality, resources, platform reachability. */
    async validateRolloutStart(input: { rolloutId: string }): Promise<PreRolloutValidation> {
      const rollout = await loadRollout(input.rolloutId);
      const checks: PreRolloutCheck[] = [];
      const warnings: string[] = [];

      await pingPostgres(deps.db);
      checks.push({ name: 'postgres', ok: true, detail: 'answers' });

      if (deps.temporal) {
        const info = Context.current().info;
        const described = await deps.temporal.workflowService.describeTaskQueue({
          namespace: info.workflowNamespace,
          taskQueue: { name: info.taskQueue },
          taskQueueType: 1,
        });
        const pollers = described.pollers?.length ?? 0;
        checks.push({
          name: 'temporal_workers',
          ok: pollers > 0,
          detail: pollers > 0 ? `${pollers} worker(s) polling ${info.taskQueue}` : `no worker polls ${info.taskQueue}`,
        });
      }

      const scope = await rolloutScopeConnections(deps.db, rollout);
      const others = await otherRolloutsInProgress(deps.db, rollout);
      const resourceProblems = [
        ...(scope.length === 0 ? ['no active connection is in the rollout scope'] : []),
        ...others.map((o) => `rollout ${o.name} (${o.id}) is already in progress for this org`),
      ];
      checks.push({ name: 'resources', ok: resourceProblems.length === 0, detail: resourceProblems.join('; ') || `${scope.length} connection(s) in scope` });

      const qualityProblems: string[] = [];
      for (const connection of scope) {
        const decision = await reportGate({ connectionId: connection.id });
        if (decision.pass) continue;
        if (decision.reason === 'critical_rule_failed' || decision.reason === 'score_below_minimum') {
          qualityProblems.push(`connection ${connection.id}: ${decision.reason.replaceAll('_', ' ')} (score ${decision.score})`);
        } else {
          warnings.push(`connection ${connection.id}: no recent validation report`);
        }
      }
      checks.push({
        name: 'data_quality',
        ok: qualityProblems.length === 0,
        detail: qualityProblems.join('; ') || 'no connection in scope has a failing validation report',
      });

      const unreachable: string[] = [];
      for (const platform of [...new Set(scope.map((c) => c.platform))].sort()) {
        const live = LIVE_CONNECTORS[platform];
        const url = deps.platformBaseUrls?.[platform] ?? live.defaultBaseUrl;
        if (url.includes('{')) {
          warnings.push(`${platform} is reached per connection: checked when it syncs`);
          continue;
        }
        const problem = await reachable(url);
        if (problem) unreachable.push(`${platform} unreachable at ${url}: ${problem}`);
      }
      checks.push({ name: 'platform_reachability', ok: unreachable.length === 0, detail: unreachable.join('; ') || 'every platform in scope answers' });

      const reasons = checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
      return { ok: reasons.length === 0, reasons, warnings, checks };
    },

    /**
     * The step's measurement: closed syncs of the connections exposed at this step since it began, and
     * the live platform requests those syncs made (counted per stream by the sync activity).
     */
    async measureRolloutStep(input: { rolloutId: string; stepIndex: number; stepStartedAt: string }): Promise<StepMeasurement> {
      const rollout = await loadRollout(input.rolloutId);
      const exposed = await rolloutExposedConnections(deps.db, rollout, { stage: 'running', stepIndex: input.stepIndex });
      const since = new Date(input.stepStartedAt);
      const connectionIds = exposed.map((c) => c.id);
      const outcomes = await syncOutcomesSince(deps.db, connectionIds, since);
      // The exposed connections' own requests: another org's (or another connection's) to the same platform are not this step's.
      const requests = await platformRequestTotalsOfSyncs(deps.db, { connectionIds, since });
      return summarizeStep(outcomes, requests, { at: now().toISOString(), stepIndex: input.stepIndex, connectionsExposed: exposed.length });
    },

    /**
     * Persists the workflow's state after a transition and audits its events, in one transaction.
     * Idempotent: a retry (or a replayed older revision) finds the revision stored and writes nothing.
     */
    async recordRolloutTransition(input: {
      rolloutId: string;
      revision: number;
      state: RolloutState;
      events: RolloutEvent[];
      actor: RolloutActor | null;
    }): Promise<{ applied: boolean }> {
      const rollout = await loadRollout(input.rolloutId);
      return deps.db.transaction().execute(async (trx) => {
        const applied = await saveRolloutState(trx, rollout.id, input.revision, input.state, rollout.config);
        if (!applied) return { applied: false };
        for (const event of input.events) {
          await appendAudit(trx, {
            org_id: rollout.org_id,
            actor_id: input.actor?.actorId ?? 'rollout-workflow',
            actor_role: input.actor?.actorRole ?? 'system',
            action: `rollout.${event.type}`,
            target_type: 'rollout',
            target_id: rollout.id,
            outcome: 'success',
            request_id: input.actor?.requestId ?? null,
            details: { message: event.message, stage: input.state.stage, step_index: input.state.stepIndex, ...event.details },
          });
        }
        return { applied: true };
      });
    },
  };
}

export type RolloutActivities = ReturnType<typeof createRolloutActivities>;
