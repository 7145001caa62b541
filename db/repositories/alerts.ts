import { type ExpressionBuilder, type Kysely, type Transaction, sql } from 'kysely';
import type { AlertPlan, OpenAlert } from '../../domain/alert-evaluation';
import type { AlertRule, AlertSeverity, AlertStatus, AlertType } from '../../domain/alert-rules';
import type { AlertRow, Database } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

/** What changed in one evaluation: each change is notified, and critical ones on a rollout's scope roll it back. */
export interface AlertChange {
  alertId: string;
  event: 'fired' | 'escalated' | 'resolved';
  severity: AlertSeverity;
  labels: Record<string, string>;
}

export async function listOpenAlertsOfRule(db: Db, ruleId: string): Promise<OpenAlert[]> {
  const rows = await db
    .selectFrom('alerts')
    .select(['id', 'fingerprint', 'severity', 'status', 'started_at'])
    .where('rule_id', '=', ruleId)
    .where('status', '<>', 'resolved')
    .execute();
  return rows.map((r) => ({ id: r.id, fingerprint: r.fingerprint, severity: r.severity, status: r.status as OpenAlert['status'], startedAt: r.started_at }));
}

/**
 * Applies one rule's plan in one transaction. Firing is deduplicated by the partial unique index on
 * open fingerprints, and every update skips alerts resolved meanwhile, so a retried evaluation
 * reports no change twice.
 */
export async function applyAlertPlan(db: Kysely<Database>, rule: AlertRule, plan: AlertPlan, now: Date): Promise<AlertChange[]> {
  return db.transaction().execute(async (trx) => {
    const changes: AlertChange[] = [];
    for (const fire of plan.fire) {
      const inserted = await trx
        .insertInto('alerts')
        .values({
          rule_id: rule.id,
          fingerprint: fire.fingerprint,
          org_id: fire.orgId,
          type: rule.type,
          severity: fire.severity,
          initial_severity: fire.severity,
          status: 'firing',
          labels: JSON.stringify(fire.labels),
          summary: fire.summary,
          value: fire.value,
          threshold: rule.threshold,
          started_at: now,
          last_evaluated_at: now,
        })
        .onConflict((oc) => oc.column('fingerprint').where('status', '<>', 'resolved').doNothing())
        .returning(['id', 'severity', 'labels'])
        .executeTakeFirst();
      if (inserted) changes.push({ alertId: inserted.id, event: 'fired', severity: inserted.severity, labels: inserted.labels });
    }
    for (const hold of plan.hold) {
      const updated = await trx
        .updateTable('alerts')
        .set({
          value: hold.value,
          last_evaluated_at: now,
          ...(hold.escalateTo ? { severity: hold.escalateTo, status: 'escalated' as const, escalated_at: now } : {}),
        })
        .where('id', '=', hold.alertId)
        .where('status', '<>', 'resolved')
        .returning(['id', 'severity', 'labels'])
        .executeTakeFirst();
      if (updated && hold.escalateTo) changes.push({ alertId: updated.id, event: 'escalated', severity: updated.severity, labels: updated.labels });
    }
    if (plan.resolve.length > 0) {
      const resolved = await trx
        .updateTable('alerts')
        .set({ status: 'resolved', resolved_at: now, resolved_by: 'auto', last_evaluated_at: now })
        .where('id', 'in', plan.resolve)
        .where('status', '<>', 'resolved')
        .returning(['id', 'severity', 'labels'])
        .execute();
      for (const r of resolved) changes.push({ alertId: r.id, event: 'resolved', severity: r.severity, labels: r.labels });
    }
    return changes;
  });
}

export async function findAlertById(db: Db, id: string): Promise<AlertRow | undefined> {
  return db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Marks that the alert's rollout was asked to roll back; false when it already was. */
export async function markRollbackRequested(db: Db, id: string, at: Date): Promise<boolean> {
  const row = await db
    .updateTable('alerts')
    .set({ rollback_requested_at: at })
    .where('id', '=', id)
    .where('rollback_requested_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return Boolean(row);
}

export interface AlertFilter {
  /** The org's alerts and the deployment's (org_id null) are visible to it; null (an operator): the deployment's only. */
  orgId: string | null;
  status?: AlertStatus | 'open';
  severity?: AlertSeverity;
  type?: AlertType;
  ruleId?: string;
  limit: number;
}

export async function listAlerts(db: Db, filter: AlertFilter): Promise<AlertRow[]> {
  const orgId = filter.orgId;
  let query = db
    .selectFrom('alerts')
    .selectAll()
    .where((eb) => (orgId === null ? eb('org_id', 'is', null) : eb.or([eb('org_id', 'is', null), eb('org_id', '=', orgId)])));
  if (filter.status === 'open') query = query.where('status', '<>', 'resolved');
  else if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.severity) query = query.where('severity', '=', filter.severity);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.ruleId) query = query.where('rule_id', '=', filter.ruleId);
  return query.orderBy('started_at', 'desc').orderBy('id').limit(filter.limit).execute();
}

/**
 * Resolves an open alert by hand: an org's own alert (orgId), or a deployment-wide one (orgId null,
 * a deployment operator). Undefined when not the caller's to resolve, the row unchanged when already resolved.
 */
export async function resolveAlertByUser(
  db: Db,
  input: { id: string; orgId: string | null; userId: string; at: Date },
): Promise<{ row: AlertRow; changed: boolean } | undefined> {
  const orgId = input.orgId;
  const visible = (eb: ExpressionBuilder<Database, 'alerts'>) => (orgId === null ? eb('org_id', 'is', null) : eb('org_id', '=', orgId));
  const updated = await db
    .updateTable('alerts')
    .set({ status: 'resolved', resolved_at: input.at, resolved_by: input.userId })
    .where('id', '=', input.id)
    .where('status', '<>', 'resolved')
    .where(visible)
    .returningAll()
    .executeTakeFirst();
  if (updated) return { row: updated, changed: true };
  const existing = await db.selectFrom('alerts').selectAll().where('id', '=', input.id).where(visible).executeTakeFirst();
  return existing ? { row: existing, changed: false } : undefined;
}

/** Every org's open alerts, counted by type and severity (the `liftos_alerts_open` gauge). */
export async function countOpenAlertsByTypeAndSeverity(db: Db): Promise<{ type: AlertType; severity: AlertSeverity; count: number }[]> {
  const rows = await db
    .selectFrom('alerts')
    .select(['type', 'severity'])
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('status', '<>', 'resolved')
    .groupBy(['type', 'severity'])
    .execute();
  return rows.map((r) => ({ type: r.type, severity: r.severity, count: Number(r.count) }));
}

/** Alerts of the org (and the deployment's) that fired at or after `since`, whatever their status now. */
export async function countAlertsFiredSince(db: Db, orgId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('alerts')
    .select(sql<string>`count(*)`.as('count'))
    .where((eb) => eb.or([eb('org_id', 'is', null), eb('org_id', '=', orgId)]))
    .where('started_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Open alerts of the org (and the deployment's) by severity, for the dashboard. */
export async function countOpenAlertsBySeverity(db: Db, orgId: string): Promise<Record<AlertSeverity, number>> {
  const rows = await db
    .selectFrom('alerts')
    .select(['severity', sql<string>`count(*)`.as('count')])
    .where('status', '<>', 'resolved')
    .where((eb) => eb.or([eb('org_id', 'is', null), eb('org_id', '=', orgId)]))
    .groupBy('severity')
    .execute();
  const counts: Record<AlertSeverity, number> = { low: 0, medium: 0, high: 0, critical: 0 };
  for (const r of rows) counts[r.severity] = Number(r.count);
  return counts;
}
