import { createHmac } from "node:crypto";
import type { Logger } from "pino";
import type { Db } from "../storage/database.js";
import { EXPIRING_DIGEST_NOTIFICATION } from "../storage/digests.js";
import { EXPIRING_SOON_NOTIFICATION } from "../storage/expiry-sweep.js";
import type { ClaimedJob } from "../storage/jobs.js";

/** A reminder: one certification entering its warning window. `id` is the job's: the same on every attempt. */
export interface ExpiringSoonNotification {
  id: string;
  type: typeof EXPIRING_SOON_NOTIFICATION;
  occurred_at: string;
  organization_id: string;
  user_id: string;
  certification_id: string;
  certificate_number: string;
  certification_type_id: string;
  expires_at: string | null;
}

/** The coordinators' weekly digest of one organization: what enters its warning window in 30 days. */
export interface ExpiringDigestNotification {
  id: string;
  type: typeof EXPIRING_DIGEST_NOTIFICATION;
  occurred_at: string;
  organization_id: string;
  count: number;
  certification_ids: string[];
}

/** What the course-notification adapter delivers (contract §5). */
export type Notification = ExpiringSoonNotification | ExpiringDigestNotification;

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

/** A Standard Webhooks secret: `whsec_` and the base64 of the key. */
const SECRET_FORMAT = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/** The key of a `whsec_…` secret, or null when it is not one (24 to 64 bytes, as the spec advises). */
export function webhookKey(secret: string): Buffer | null {
  const match = SECRET_FORMAT.exec(secret);
  if (!match?.[1]) return null;
  const key = Buffer.from(match[1], "base64");
  return key.length >= 24 && key.length <= 64 ? key : null;
}

/**
 * The Standard Webhooks 1.0 headers of one delivery attempt: `webhook-id` (the notification id,
 * the same on every attempt), `webhook-timestamp` (this attempt, in whole seconds) and, with a
 * key, `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. A receiver refuses a
 * timestamp too far from its clock, so a captured delivery cannot be replayed later.
 */
export function standardWebhookHeaders(
  id: string,
  timestamp: Date,
  body: string,
  key: Buffer | null,
): Record<string, string> {
  const seconds = Math.floor(timestamp.getTime() / 1000).toString();
  const headers: Record<string, string> = { "webhook-id": id, "webhook-timestamp": seconds };
  if (key !== null) {
    const signature = createHmac("sha256", key).update(`${id}.${seconds}.${body}`, "utf8").digest("base64");
    headers["webhook-signature"] = `v1,${signature}`;
  }
  return headers;
}

/**
 * POSTs the notification as JSON, signed as Standard Webhooks 1.0 prescribes. Each attempt is
 * signed anew at its own time (real time, whatever clock the service runs on: the receiver
 * checks it against its own). Anything but a 2xx, or no answer in time, is a failure.
 */
export class WebhookAdapter implements NotificationAdapter {
  private readonly key: Buffer | null;

  constructor(
    private readonly url: string,
    secret: string | null,
    private readonly timeoutMs = 10_000,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.key = secret === null ? null : webhookKey(secret);
    if (secret !== null && this.key === null) {
      throw new Error(
        "the webhook secret is not a Standard Webhooks secret (whsec_ and 24 to 64 bytes of base64)",
      );
    }
  }

  async deliver(notification: Notification): Promise<void> {
    const body = JSON.stringify(notification);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "certsvc-notifier",
      ...standardWebhookHeaders(notification.id, this.now(), body, this.key),
    };
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

function count(payload: Record<string, unknown>, key: string): number {
  const value = payload[key];
  if (typeof value !== "number" || !Number.isInteger(value))
    throw new Error(`notification job without ${key}`);
  return value;
}

function ids(payload: Record<string, unknown>, key: string): string[] {
  const value = payload[key];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new Error(`notification job without ${key}`);
  }
  return value;
}

/** The notification a job delivers, by the type its payload names. */
export function notificationOf(job: ClaimedJob): Notification {
  const payload = job.payload;
  const type = text(payload, "type");
  if (type === EXPIRING_DIGEST_NOTIFICATION) {
    return {
      id: job.id,
      type,
      occurred_at: text(payload, "occurred_at"),
      organization_id: text(payload, "organization_id"),
      count: count(payload, "count"),
      certification_ids: ids(payload, "certification_ids"),
    };
  }
  if (type !== EXPIRING_SOON_NOTIFICATION) throw new Error(`notification job of unknown type ${type}`);
  const expires = payload.expires_at;
  return {
    id: job.id,
    type,
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
 * Delivers a notification job. A digest goes as it is. A reminder whose certification was revoked, suspended or given another
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
  if (notification.type === EXPIRING_DIGEST_NOTIFICATION) {
    await adapter.deliver(notification);
    return;
  }
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
