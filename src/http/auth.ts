import { createSecretKey, type KeyObject } from "node:crypto";
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify, SignJWT } from "jose";
import { DomainError } from "../domain/errors.js";
import type { Principal } from "../domain/principal.js";
import { loadUserPrincipal } from "../services/principals.js";
import type { Queryable } from "../storage/database.js";

export interface AuthOptions {
  jwtSecret: string | null;
  jwksUrl: string | null;
  issuer: string | null;
  audience: string | null;
  /** How long resolved roles are reused before the membership table is asked again. */
  cacheSeconds: number;
  /** Milliseconds since the epoch, for the cache's expiry; tests pass a clock they move. */
  now?: () => number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SERVICE = /^service:([a-z0-9][a-z0-9._-]{0,63})$/i;

const unauthenticated = (detail: string) => new DomainError("unauthenticated", detail);

/**
 * Turns a bearer token into a principal. The token proves identity only; roles come from the
 * membership table, cached briefly so a request costs no database round trip while a change of
 * membership still takes effect within `cacheSeconds`.
 */
export class Authenticator {
  readonly #secret: KeyObject | null;
  readonly #jwks: JWTVerifyGetKey | null;
  readonly #cache = new Map<string, { principal: Principal; until: number }>();
  readonly #loading = new Map<string, Promise<Principal>>();

  constructor(
    private readonly db: Queryable,
    private readonly options: AuthOptions,
  ) {
    // A KeyObject made once: handing jose the raw bytes makes it import the key on every request.
    this.#secret = options.jwtSecret ? createSecretKey(Buffer.from(options.jwtSecret, "utf8")) : null;
    this.#jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : null;
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw unauthenticated("Send a token: Authorization: Bearer <JWT>");
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match?.[1]) throw unauthenticated("The Authorization header must be: Bearer <JWT>");
    const payload = await this.#verify(match[1]);
    const subject = payload.sub ?? "";
    const service = SERVICE.exec(subject);
    if (service?.[1]) return { kind: "service", name: service[1] };
    if (!UUID.test(subject)) throw unauthenticated("The token's sub is neither a user id nor service:<name>");
    return this.#userPrincipal(subject.toLowerCase());
  }

  /** Forgets a user's cached roles (after a change made through this process). */
  forget(userId: string): void {
    this.#cache.delete(userId.toLowerCase());
  }

  async #verify(token: string): Promise<JWTPayload> {
    const checks = {
      ...(this.options.issuer ? { issuer: this.options.issuer } : {}),
      ...(this.options.audience ? { audience: this.options.audience } : {}),
    };
    try {
      const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as {
        alg?: unknown;
      };
      if (header.alg === "HS256" && this.#secret) {
        return (await jwtVerify(token, this.#secret, { ...checks, algorithms: ["HS256"] })).payload;
      }
      if (header.alg !== "HS256" && this.#jwks) {
        return (await jwtVerify(token, this.#jwks, checks)).payload;
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "ERR_JWT_EXPIRED") throw unauthenticated("The token has expired");
      throw unauthenticated("The token is not valid");
    }
    throw unauthenticated("The token is signed with an algorithm this service does not accept");
  }

  async #userPrincipal(userId: string): Promise<Principal> {
    const cached = this.#cache.get(userId);
    const now = this.options.now ?? Date.now;
    if (cached && cached.until > now()) return cached.principal;
    let loading = this.#loading.get(userId);
    if (!loading) {
      loading = loadUserPrincipal(this.db, userId).finally(() => this.#loading.delete(userId));
      this.#loading.set(userId, loading);
    }
    const principal = await loading;
    if (this.options.cacheSeconds > 0) {
      if (this.#cache.size > 10_000) this.#cache.clear();
      this.#cache.set(userId, { principal, until: now() + this.options.cacheSeconds * 1000 });
    }
    return principal;
  }
}

/** Signs an HS256 token for a user id or `service:<name>` (the CLI's `token` and the demo). */
export async function signToken(
  secret: string,
  subject: string,
  options: { ttlSeconds?: number; issuer?: string | null; audience?: string | null } = {},
): Promise<string> {
  let jwt = new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? 3600}s`);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
