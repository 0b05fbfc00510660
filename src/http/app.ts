import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { Logger } from "pino";
import type { Principal } from "../domain/principal.js";
import type { ServiceContext } from "../services/context.js";
import type { Authenticator } from "./auth.js";

/** The Fastify instance every route file registers on (TypeBox schemas give the types). */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a token. */
    public?: boolean;
    /** The `instance` of this route's problems, instead of the request's path (which may hold a secret). */
    problemInstance?: string;
  }
}

/** How long a connection may take over its headers, its whole request, and idle between requests. */
export interface ServerTimeouts {
  headersMs: number;
  requestMs: number;
  keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = { headersMs: 10_000, requestMs: 120_000, keepAliveMs: 5_000 };

/** What the routes need; src/main.ts builds it. */
export interface ServerDeps {
  ctx: ServiceContext;
  auth: Authenticator;
  logger: Logger | false;
  publicUrl: string;
  /** CERTSVC_PLATFORM_URL: where the /app sign-in page sends people to sign in. */
  platformUrl?: string | null;
  verifyRateLimit: number;
  /** Largest CSV file the import takes, in bytes (50 MB unless a test sets it lower). */
  importBodyLimit?: number;
  /** Attempts a notification the expiry sweep dispatches gets (CERTSVC_NOTIFY_MAX_ATTEMPTS). */
  notifyMaxAttempts?: number;
  /** Answers /readyz: database reachable and migrations applied. */
  readiness: () => Promise<{ ready: boolean; detail: string }>;
  /** Connection timeouts (CERTSVC_*_TIMEOUT_SECONDS); DEFAULT_TIMEOUTS where unset. */
  timeouts?: Partial<ServerTimeouts>;
}

/** The principal of an authenticated route (the onRequest hook has set it). */
export function principalOf(request: { principal: Principal | null }): Principal {
  if (!request.principal) throw new Error("route without authentication reached its handler");
  return request.principal;
}
