import { createHmac } from "node:crypto";
import type { Logger } from "pino";
import type { Db } from "../storage/database.js";
import type { ClaimedJob } from "../storage/job-queue.js";

/** What the course-notification adapter delivers. `id` is the job's id: the same on every attempt. */
export interface Notification {
  id: string;
  type: string;
  occurred_at: string;
  organization_id: string;
  user_id: string;
  certification_id: string;
  certificate_number: string;
  certification_type_id: string;
  expires_at: string | null;
}

/** Delivers one notification; throws when it was not delivered, so the job is retried. */
export interface NotificationAdapter {
  deliver(notification: Notification): Promise<void>;
}

export class NotificationDeliveryError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = "NotificationDeliveryError";
  }
}

export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/**
 * POSTs the notification as JSON. `Idempotency-Key` is the notification id, so a receiver that
 * got an attempt whose answer was lost can tell the retry apart; `X-Certsvc-Signature` is the
 * HMAC-SHA256 of the exact body bytes. Anything but a 2xx, or no answer in time, is a failure.
 */
export class WebhookAdapter implements NotificationAdapter {
  constructor(
    private readonly url: string,
    private readonly secret: string | null,
    private readonly timeoutMs = 10_000,
  ) {}

  async deliver(notification: Notification): Promise<void> {
    const body = JSON.stringify(notification);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "idempotency-key": notification.id,
      "user-agent": "certsvc-notifier",
    };
    if (this.secret !== null) headers["x-certsvc-signature"] = signBody(body, this.secret);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new NotificationDeliveryError(`webhook unreachable: ${(error as Error).message}`, null);
    }
    // Drain the body so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status < 200 || response.status >= 300) {
      throw new NotificationDeliveryError(`webhook answered ${response.status}`, response.status);
    }
  }
}

/** The embedded default: the notification goes to the log. */
export class LogAdapter implements NotificationAdapter {
  constructor(private readonly logger: Logger) {}
  async deliver(notification: Notification): Promise<void> {
    this.logger.info({ notification }, `notification ${notification.type}`);
  }
}

export function notificationAdapterFor(
  config: { notifyWebhookUrl: string | null; notifyWebhookSecret: string | null },
  logger: Logger,
): NotificationAdapter {
  return config.notifyWebhookUrl === null
    ? new LogAdapter(logger)
    : new WebhookAdapter(config.notifyWebhookUrl, config.notifyWebhookSecret);
}

function text(payload: Record<string, unknown>, key: string): string {
  const value = payload[key];
  if (typeof value !== "string") throw new Error(`notification job without ${key}`);
  return value;
}

export function notificationOf(job: ClaimedJob): Notification {
  const payload = job.payload;
  const expires = payload.expires_at;
  return {
    id: job.id,
    type: text(payload, "type"),
    occurred_at: text(payload, "occurred_at"),
    organization_id: text(payload, "organization_id"),
    user_id: text(payload, "user_id"),
    certification_id: text(payload, "certification_id"),
    certificate_number: text(payload, "certificate_number"),
    certification_type_id: text(payload, "certification_type_id"),
    expires_at: typeof expires === "string" ? expires : null,
  };
}

/**
 * Delivers a notification job. A reminder whose certification was revoked, suspended or given another
 * expiry date since it was enqueued is not sent: it would describe a window that no longer is
 * (a renewal clears the reminder, and the new window sends its own).
 */
export async function deliverNotificationJob(
  db: Db,
  adapter: NotificationAdapter,
  job: ClaimedJob,
  logger: Logger,
): Promise<void> {
  const notification = notificationOf(job);
  const current = await db
    .selectFrom("certifications")
    .select(["expires_at", "revoked_at", "status"])
    .where("id", "=", notification.certification_id)
    .executeTakeFirst();
  const stale =
    !current ||
    current.revoked_at !== null ||
    current.status === "suspended" ||
    (current.expires_at?.toISOString() ?? null) !== notification.expires_at;
  if (stale) {
    logger.info({ notification_id: notification.id }, "reminder no longer applies; not sent");
    return;
  }
  await adapter.deliver(notification);
}
