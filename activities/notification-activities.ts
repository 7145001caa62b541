import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import { findNotification, recordNotificationAttempt } from '../db/repositories/notifications';
import type { Database } from '../db/schema';
import { NotificationFailureType } from '../domain/errors';

export interface NotificationActivityDeps {
  db: Kysely<Database>;
  /** Where notifications are POSTed as JSON; unset, they are only kept in the notifications table. */
  webhookUrl?: string;
  timeoutMs?: number;
  now?: () => Date;
}

export interface DeliverNotificationInput {
  notificationId: string;
}

export function createNotificationActivities(deps: NotificationActivityDeps) {
  const now = deps.now ?? (() => new Date());
  return {
    /**
     * POSTs a notification to the webhook. A failure throws (the workflow's retry policy backs off);
     * the body carries the notification's id, so a receiver can drop the duplicates at-least-once
     * delivery may bring. The URL never appears in errors: it may carry a token.
     */
    async deliverNotification(input: DeliverNotificationInput): Promise<{ delivered: boolean }> {
      const notification = await findNotification(deps.db, input.notificationId);
      if (!notification) return { delivered: false };
      if (notification.delivered_at) return { delivered: true };
      if (!deps.webhookUrl) return { delivered: false };
      let failure: string | null = null;
      try {
        const response = await fetch(deps.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            id: notification.id,
            kind: notification.kind,
            org_id: notification.org_id,
            created_at: notification.created_at.toISOString(),
            data: notification.payload,
          }),
          signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
        });
        await response.body?.cancel();
        if (!response.ok) failure = `Notification webhook answered ${response.status}`;
      } catch (err) {
        failure = `Notification webhook unreachable (${err instanceof Error ? err.name : 'error'})`;
      }
      if (failure) {
        await recordNotificationAttempt(deps.db, notification.id, { error: failure });
        throw ApplicationFailure.create({ type: NotificationFailureType.DeliveryFailed, message: failure });
      }
      await recordNotificationAttempt(deps.db, notification.id, { deliveredAt: now() });
      return { delivered: true };
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
