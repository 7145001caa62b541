import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Database, Notification } from '../schema';
import { storableJson } from '../storable-text';

type Db = Kysely<Database> | Transaction<Database>;

export async function insertNotification(
  db: Db,
  notification: { org_id: string; connection_id: string | null; kind: string; payload: Record<string, unknown> },
): Promise<string> {
  const row = await db
    .insertInto('notifications')
    .values({ ...notification, payload: storableJson(notification.payload) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findNotification(db: Db, id: string): Promise<Notification | undefined> {
  return db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listNotifications(db: Db, orgId: string, limit: number): Promise<Notification[]> {
  return db.selectFrom('notifications').selectAll().where('org_id', '=', orgId).orderBy('created_at', 'desc').limit(limit).execute();
}

/** Records one delivery attempt: its error, or the time it was delivered. */
export async function recordNotificationAttempt(db: Db, id: string, outcome: { deliveredAt: Date } | { error: string }): Promise<void> {
  await db
    .updateTable('notifications')
    .set({
      delivery_attempts: sql`delivery_attempts + 1`,
      ...('deliveredAt' in outcome ? { delivered_at: outcome.deliveredAt, last_error: null } : { last_error: outcome.error }),
    })
    .where('id', '=', id)
    .execute();
}
