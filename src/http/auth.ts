import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify, SignJWT } from "jose";
import { LRUCache } from "lru-cache";
import { DomainError } from "../domain/errors.js";
import type { Principal } from "../domain/principal.js";
import type { ServiceContext } from "../services/context.js";
import { loadUserPrincipal } from "../services/principals.js";

export interface AuthOptions {
  jwtSecret: string | null;
  jwksUrl: string | null;
  issuer: string | null;
  audience: string | null;
  /** How long resolved roles are reused before the membership table is asked again. */
  cacheSeconds: number;
  /** Milliseconds since the epoch, for the cache's expiry; tests pass a clock they move. */
  now?: () => number;
  /** The longest lifetime (`exp` − `iat`, or `exp` − now) a user token may have; default 24 h. */
  maxUserLifetimeSeconds?: number;
  /** The same for service tokens (`sub: service:<name>`); default 30 days. */
  maxServiceLifetimeSeconds?: number;
}

export const DEFAULT_MAX_USER_TOKEN_SECONDS = 86_400;
export const DEFAULT_MAX_SERVICE_TOKEN_SECONDS = 30 * 86_400;
/** How far the issuer's clock may run ahead of ours, for `iat` and the lifetime. */
const CLOCK_SKEW_SECONDS = 60;
/** Every asymmetric algorithm jose verifies; HS256 goes the secret's way, `none` never. */
const ASYMMETRIC = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SERVICE = /^service:([a-z0-9][a-z0-9._-]{0,63})$/i;

const unauthenticated = (detail: string) => new DomainError("unauthenticated", detail);

/**
 * How long a verified token is taken on trust before its signature is checked again. Its own
 * expiry still ends it to the second; the bound is for keys withdrawn from the JWKS.
 */
const TOKEN_TRUST_MS = 60_000;
/** Entries of each cache, least recently used dropped first. */
const CACHE_MAX = 10_000;

/**
 * lru-cache keeps an entry while `now - start <= ttl`; an entry here ends at `start + ms`
 * exactly, as a token ends at its `exp` (milliseconds are whole numbers on both clocks).
 */
const lruTtl = (ms: number) => ms - 1;

interface VerifiedToken {
  service: Principal | null;
  userId: string;
}

/**
 * Turns a bearer token into a principal. The token proves identity only; roles come from the
 * membership table, cached briefly so a request costs no database round trip while a change of
 * membership still takes effect within `cacheSeconds`.
 */
export class Authenticator {
  readonly #secret: Promise<CryptoKey> | null;
  readonly #jwks: JWTVerifyGetKey | null;
  /** Users' principals for `cacheSeconds` (none when 0), on the options' clock. */
  readonly #cache: LRUCache<string, Principal> | null;
  readonly #loading = new Map<string, Promise<Principal>>();
  /**
   * Authorization headers whose token was verified, each until its own time (the trust bound
   * or the token's expiry), and what it names: a service's principal, or the user whose roles
   * come from the principal cache.
   */
  readonly #verified = new LRUCache<string, VerifiedToken>({
    max: CACHE_MAX,
    ttlResolution: 0,
    perf: { now: () => Date.now() },
  });

  constructor(
    private readonly db: ServiceContext["db"],
    private readonly options: AuthOptions,
  ) {
    const now = options.now ?? Date.now;
    this.#cache =
      options.cacheSeconds > 0
        ? new LRUCache({
            max: CACHE_MAX,
            ttl: lruTtl(options.cacheSeconds * 1000),
            ttlResolution: 0,
            perf: { now },
          })
        : null;
    // A CryptoKey made once: handed raw bytes or a KeyObject, jose imports the key on every call.
    this.#secret = options.jwtSecret
      ? crypto.subtle.importKey(
          "raw",
          new TextEncoder().encode(options.jwtSecret),
          { name: "HMAC", hash: "SHA-256" },
          false,
          ["verify"],
        )
      : null;
    // An unhandled rejection would end the process before the first request could report it.
    this.#secret?.catch(() => {});
    this.#jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : null;
  }

  /**
   * The principal of an Authorization header seen before, when both the token and the user's
   * roles are still in memory; undefined when `authenticate` has to be asked. Synchronous: most
   * requests carry a token the service has seen within the last minute.
   */
  cached(authorization: string | undefined): Principal | undefined {
    if (authorization === undefined) return undefined;
    const known = this.#verified.get(authorization);
    if (!known) return undefined;
    return known.service ?? this.#cache?.get(known.userId);
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw unauthenticated("Send a token: Authorization: Bearer <JWT>");
    const known = this.#verified.get(authorization);
    if (known) return known.service ?? this.#userPrincipal(known.userId);
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match?.[1]) throw unauthenticated("The Authorization header must be: Bearer <JWT>");
    // A token verified before is not verified again until it expires or TOKEN_TRUST_MS passes:
    // the same string has the same signature and claims, so only its expiry can change the
    // answer (verification costs more than the rest of a cached read).
    const payload = await this.#verify(match[1]);
    const subject = payload.sub;
    if (typeof subject !== "string") throw unauthenticated("The token's sub must be a string");
    const service = SERVICE.exec(subject);
    const principal: Principal | null = service?.[1] ? { kind: "service", name: service[1] } : null;
    if (!principal && !UUID.test(subject)) {
      throw unauthenticated("The token's sub is neither a user id nor service:<name>");
    }
    const now = Date.now();
    const exp = checkLifetime(
      payload,
      now,
      principal
        ? (this.options.maxServiceLifetimeSeconds ?? DEFAULT_MAX_SERVICE_TOKEN_SECONDS)
        : (this.options.maxUserLifetimeSeconds ?? DEFAULT_MAX_USER_TOKEN_SECONDS),
    );
    const userId = subject.toLowerCase();
    const until = Math.min(now + TOKEN_TRUST_MS, exp * 1000);
    if (until - now > 1) {
      this.#verified.set(authorization, { service: principal, userId }, { ttl: lruTtl(until - now) });
    }
    return principal ?? this.#userPrincipal(userId);
  }

  /** Forgets a user's cached roles (after a change made through this process). */
  forget(userId: string): void {
    this.#cache?.delete(userId.toLowerCase());
  }

  async #verify(token: string): Promise<JWTPayload> {
    const checks = {
      ...(this.options.issuer ? { issuer: this.options.issuer } : {}),
      ...(this.options.audience ? { audience: this.options.audience } : {}),
      // exp and nbf hold to the second (jose's default); only iat gets the skew, below.
      requiredClaims: ["exp", "sub"],
    };
    try {
      const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as {
        alg?: unknown;
      };
      if (header.alg === "HS256" && this.#secret) {
        return (await jwtVerify(token, await this.#secret, { ...checks, algorithms: ["HS256"] })).payload;
      }
      if (header.alg !== "HS256" && this.#jwks) {
        return (await jwtVerify(token, this.#jwks, { ...checks, algorithms: ASYMMETRIC })).payload;
      }
    } catch (error) {
      const { code, claim } = error as { code?: string; claim?: string };
      if (code === "ERR_JWT_EXPIRED") throw unauthenticated("The token has expired");
      if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED" && claim !== undefined) {
        throw unauthenticated(`The token's ${claim} claim is missing or not valid`);
      }
      throw unauthenticated("The token is not valid");
    }
    throw unauthenticated("The token is signed with an algorithm this service does not accept");
  }

  async #userPrincipal(userId: string): Promise<Principal> {
    const cached = this.#cache?.get(userId);
    if (cached) return cached;
    let loading = this.#loading.get(userId);
    if (!loading) {
      loading = loadUserPrincipal(this.db, userId).finally(() => this.#loading.delete(userId));
      this.#loading.set(userId, loading);
    }
    const principal = await loading;
    this.#cache?.set(userId, principal);
    return principal;
  }
}

/**
 * A token's `exp` (seconds) once its times are sane: jose has checked that `exp`, `iat` and `nbf`
 * are numbers and that it has not expired; here `iat` may not lie ahead of our clock and the
 * token may not live longer than `maxSeconds`, counted from `iat` and from now.
 */
function checkLifetime(payload: JWTPayload, nowMs: number, maxSeconds: number): number {
  const now = nowMs / 1000;
  const { exp, iat } = payload;
  if (typeof exp !== "number" || !Number.isFinite(exp)) throw unauthenticated("The token has no valid exp");
  if (iat !== undefined && (!Number.isFinite(iat) || iat > now + CLOCK_SKEW_SECONDS)) {
    throw unauthenticated("The token's iat lies in the future");
  }
  if (exp - Math.min(iat ?? now, now) > maxSeconds + CLOCK_SKEW_SECONDS) {
    throw unauthenticated(`The token lives longer than this service accepts (${maxSeconds} s)`);
  }
  return exp;
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
