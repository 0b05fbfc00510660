import { resolve } from "node:path";
import { Cron } from "croner";
import type { DatabaseTarget } from "./storage/database.js";

/**
 * Every environment variable the service reads, parsed and checked once. A bad value stops the
 * process at start with a message naming the variable, never later in a request.
 */
export interface Config {
  port: number;
  host: string;
  database: DatabaseTarget;
  dataDir: string;
  jwtSecret: string | null;
  /** 32 bytes (base64 or base64url) that encrypt the signing keys at rest; null: generated into the data dir. */
  keyEncryptionKey: Buffer | null;
  jwksUrl: string | null;
  jwtIssuer: string | null;
  jwtAudience: string | null;
  warningDays: number;
  sweepCron: string;
  /** CERTSVC_DIGEST_CRON, in Europe/Oslo. */
  digestCron: string;
  publicUrl: string;
  /** The member platform people sign in to; /app's sign-in page links back to it. */
  platformUrl: string | null;
  notifyWebhookUrl: string | null;
  notifyWebhookSecret: string | null;
  notifyMaxAttempts: number;
  /** CERTSVC_JOB_LEASE_SECONDS: a claimed job is another worker's to take this long after its last heartbeat. */
  jobLeaseSeconds: number;
  /** CERTSVC_JOB_HEARTBEAT_SECONDS: how often a worker renews the leases of the jobs it runs. */
  jobHeartbeatSeconds: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  verifyRateLimit: number;
  dbPoolSize: number;
  principalCacheSeconds: number;
  /** Longest lifetime of a user token, and of a service token, in seconds. */
  jwtMaxLifetimeSeconds: number;
  serviceJwtMaxLifetimeSeconds: number;
  /** Connection timeouts in seconds: headers, the whole request, idle keep-alive. */
  headersTimeoutSeconds: number;
  requestTimeoutSeconds: number;
  keepAliveTimeoutSeconds: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

export interface ConfigVariable {
  name: string;
  default: string;
  description: string;
}

/** The table the README shows; kept next to the parser so the two cannot drift. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  { name: "PORT", default: "3000", description: "HTTP port" },
  { name: "HOST", default: "127.0.0.1", description: "Address to listen on" },
  {
    name: "DATABASE_URL",
    default: "(unset: embedded PGlite)",
    description:
      "PostgreSQL server connection string; unset, the embedded PGlite in CERTSVC_DATA_DIR is used",
  },
  {
    name: "CERTSVC_DATA_DIR",
    default: "./data",
    description: "Directory of the embedded database and dev secret",
  },
  { name: "CERTSVC_DB_POOL_SIZE", default: "10", description: "Connections in the PostgreSQL server pool" },
  {
    name: "CERTSVC_JWT_SECRET",
    default: "(generated into the data dir on first start)",
    description: "HS256 secret for tokens; at least 32 characters",
  },
  {
    name: "CERTSVC_KEY_ENCRYPTION_KEY",
    default: "(generated into the data dir on first start)",
    description: "32 bytes, base64: encrypts the organizations' credential signing keys at rest",
  },
  { name: "CERTSVC_JWKS_URL", default: "(unset)", description: "JWKS URL for asymmetric tokens" },
  { name: "CERTSVC_JWT_ISSUER", default: "(unset)", description: "Required `iss` of tokens, when set" },
  { name: "CERTSVC_JWT_AUDIENCE", default: "(unset)", description: "Required `aud` of tokens, when set" },
  {
    name: "CERTSVC_JWT_MAX_LIFETIME_SECONDS",
    default: "86400",
    description: "Longest lifetime of a user token (exp − iat); a token without exp is refused",
  },
  {
    name: "CERTSVC_SERVICE_JWT_MAX_LIFETIME_SECONDS",
    default: "2592000",
    description: "Longest lifetime of a service token (sub service:<name>)",
  },
  {
    name: "CERTSVC_PRINCIPAL_CACHE_SECONDS",
    default: "5",
    description: "How long a user's roles are cached; a membership change takes effect within it",
  },
  { name: "CERTSVC_WARNING_DAYS", default: "30", description: "Default expiry warning window in days" },
  {
    name: "CERTSVC_SWEEP_CRON",
    default: "*/5 * * * *",
    description: "Schedule of the expiry sweep (cron, UTC)",
  },
  {
    name: "CERTSVC_DIGEST_CRON",
    default: "0 7 * * 1",
    description: "Schedule of the coordinators' weekly digest (cron, Europe/Oslo; Monday 07:00)",
  },
  {
    name: "CERTSVC_PUBLIC_URL",
    default: "http://127.0.0.1:3000",
    description: "Public base URL, used in QR codes and links",
  },
  {
    name: "CERTSVC_PLATFORM_URL",
    default: "(unset)",
    description:
      "The member platform's address; the sign-in page of /app tells people to start there and links to it",
  },
  {
    name: "CERTSVC_NOTIFY_WEBHOOK_URL",
    default: "(unset: notifications to the log)",
    description: "Course-notification adapter webhook",
  },
  {
    name: "CERTSVC_NOTIFY_WEBHOOK_SECRET",
    default: "(unset)",
    description:
      "Standard Webhooks secret (whsec_ and the base64 of a 24 to 64 byte key) signing every webhook delivery",
  },
  {
    name: "CERTSVC_NOTIFY_MAX_ATTEMPTS",
    default: "10",
    description: "Delivery attempts before a notification is dead-lettered",
  },
  {
    name: "CERTSVC_JOB_LEASE_SECONDS",
    default: "30",
    description:
      "Lease of a claimed job; a worker that dies (even by SIGKILL) has its jobs taken over by another this long after its last heartbeat",
  },
  {
    name: "CERTSVC_JOB_HEARTBEAT_SECONDS",
    default: "10",
    description: "How often a worker renews the leases of the jobs it runs; at most a third of the lease",
  },
  {
    name: "CERTSVC_VERIFY_RATE_LIMIT",
    default: "600",
    description: "Public verifications per minute per client address",
  },
  {
    name: "CERTSVC_HEADERS_TIMEOUT_SECONDS",
    default: "10",
    description: "Time a client has to send a request's headers (then 408)",
  },
  {
    name: "CERTSVC_REQUEST_TIMEOUT_SECONDS",
    default: "120",
    description: "Time a client has to send a whole request, body included (then 408)",
  },
  {
    name: "CERTSVC_KEEP_ALIVE_TIMEOUT_SECONDS",
    default: "5",
    description: "How long an idle keep-alive connection stays open",
  },
  { name: "LOG_LEVEL", default: "info", description: "fatal, error, warn, info, debug, trace or silent" },
];

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max)
    throw new ConfigError(name, `expected a number from ${min} to ${max}, got ${value}`);
  return value;
}

function url(env: Env, name: string, protocols: readonly string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === "") return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `expected a URL, got "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `expected a ${protocols.join(" or ")} URL, got "${parsed.protocol}"`);
  }
  return raw;
}

function optional(env: Env, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw === "" ? null : raw;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export function loadConfig(env: Env = process.env): Config {
  const dataDir = resolve(env.CERTSVC_DATA_DIR || "./data");
  const databaseUrl = url(env, "DATABASE_URL", ["postgres:", "postgresql:"]);
  const dbPoolSize = integer(env, "CERTSVC_DB_POOL_SIZE", 10, 1, 500);

  const jwtSecret = optional(env, "CERTSVC_JWT_SECRET");
  if (jwtSecret !== null && jwtSecret.length < 32) {
    throw new ConfigError("CERTSVC_JWT_SECRET", "must be at least 32 characters long");
  }

  const kekRaw = optional(env, "CERTSVC_KEY_ENCRYPTION_KEY");
  const keyEncryptionKey = kekRaw === null ? null : Buffer.from(kekRaw, "base64");
  if (keyEncryptionKey !== null && keyEncryptionKey.length !== 32) {
    throw new ConfigError(
      "CERTSVC_KEY_ENCRYPTION_KEY",
      "must be 32 bytes in base64 (openssl rand -base64 32)",
    );
  }

  const sweepCron = env.CERTSVC_SWEEP_CRON || "*/5 * * * *";
  try {
    new Cron(sweepCron, { paused: true, timezone: "UTC" }).stop();
  } catch (error) {
    throw new ConfigError("CERTSVC_SWEEP_CRON", `not a cron expression: ${(error as Error).message}`);
  }

  const digestCron = env.CERTSVC_DIGEST_CRON || "0 7 * * 1";
  try {
    new Cron(digestCron, { paused: true, timezone: "Europe/Oslo" }).stop();
  } catch (error) {
    throw new ConfigError("CERTSVC_DIGEST_CRON", `not a cron expression: ${(error as Error).message}`);
  }

  const logLevel = (env.LOG_LEVEL || "info") as Config["logLevel"];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError("LOG_LEVEL", `expected one of ${LOG_LEVELS.join(", ")}, got "${env.LOG_LEVEL}"`);
  }

  const requestTimeoutSeconds = integer(env, "CERTSVC_REQUEST_TIMEOUT_SECONDS", 120, 1, 86_400);
  const headersTimeoutSeconds = integer(env, "CERTSVC_HEADERS_TIMEOUT_SECONDS", 10, 1, 3600);
  if (headersTimeoutSeconds > requestTimeoutSeconds) {
    throw new ConfigError(
      "CERTSVC_HEADERS_TIMEOUT_SECONDS",
      "may not exceed CERTSVC_REQUEST_TIMEOUT_SECONDS",
    );
  }

  const jobLeaseSeconds = integer(env, "CERTSVC_JOB_LEASE_SECONDS", 30, 3, 3600);
  const jobHeartbeatSeconds = integer(
    env,
    "CERTSVC_JOB_HEARTBEAT_SECONDS",
    Math.min(10, Math.floor(jobLeaseSeconds / 3)),
    1,
    1200,
  );
  if (jobHeartbeatSeconds * 3 > jobLeaseSeconds) {
    throw new ConfigError(
      "CERTSVC_JOB_HEARTBEAT_SECONDS",
      `must be at most a third of CERTSVC_JOB_LEASE_SECONDS (${jobLeaseSeconds}), got ${jobHeartbeatSeconds}`,
    );
  }

  const notifyWebhookSecret = optional(env, "CERTSVC_NOTIFY_WEBHOOK_SECRET");
  if (notifyWebhookSecret !== null) {
    const key = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(notifyWebhookSecret)?.[1];
    const bytes = key === undefined ? 0 : Buffer.from(key, "base64").length;
    if (bytes < 24 || bytes > 64) {
      throw new ConfigError(
        "CERTSVC_NOTIFY_WEBHOOK_SECRET",
        "expected a Standard Webhooks secret: whsec_ followed by the base64 of a 24 to 64 byte key",
      );
    }
  }

  const port = integer(env, "PORT", 3000, 0, 65535);
  const host = env.HOST || "127.0.0.1";
  const publicUrl = (url(env, "CERTSVC_PUBLIC_URL", ["http:", "https:"]) ?? `http://${host}:${port}`).replace(
    /\/+$/,
    "",
  );

  return {
    port,
    host,
    database: databaseUrl
      ? { kind: "postgres", url: databaseUrl, poolSize: dbPoolSize }
      : { kind: "pglite", dataDir: dataDir },
    dataDir,
    jwtSecret,
    keyEncryptionKey,
    jwksUrl: url(env, "CERTSVC_JWKS_URL", ["http:", "https:"]),
    jwtIssuer: optional(env, "CERTSVC_JWT_ISSUER"),
    jwtAudience: optional(env, "CERTSVC_JWT_AUDIENCE"),
    warningDays: integer(env, "CERTSVC_WARNING_DAYS", 30, 0, 3650),
    sweepCron,
    digestCron,
    publicUrl,
    platformUrl: url(env, "CERTSVC_PLATFORM_URL", ["http:", "https:"]),
    notifyWebhookUrl: url(env, "CERTSVC_NOTIFY_WEBHOOK_URL", ["http:", "https:"]),
    notifyWebhookSecret,
    notifyMaxAttempts: integer(env, "CERTSVC_NOTIFY_MAX_ATTEMPTS", 10, 1, 1000),
    jobLeaseSeconds,
    jobHeartbeatSeconds,
    logLevel,
    verifyRateLimit: integer(env, "CERTSVC_VERIFY_RATE_LIMIT", 600, 1, 1_000_000),
    dbPoolSize,
    principalCacheSeconds: integer(env, "CERTSVC_PRINCIPAL_CACHE_SECONDS", 5, 0, 3600),
    jwtMaxLifetimeSeconds: integer(env, "CERTSVC_JWT_MAX_LIFETIME_SECONDS", 86_400, 60, 31 * 86_400),
    serviceJwtMaxLifetimeSeconds: integer(
      env,
      "CERTSVC_SERVICE_JWT_MAX_LIFETIME_SECONDS",
      30 * 86_400,
      60,
      366 * 86_400,
    ),
    headersTimeoutSeconds,
    requestTimeoutSeconds,
    keepAliveTimeoutSeconds: integer(env, "CERTSVC_KEEP_ALIVE_TIMEOUT_SECONDS", 5, 1, 3600),
  };
}
