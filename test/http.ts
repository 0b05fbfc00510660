import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import type { Logger } from "pino";
import type { App, ServerDeps } from "../src/http/app.js";
import { Authenticator, type AuthOptions, signToken } from "../src/http/auth.js";
import { buildApp, readinessOf } from "../src/main.js";
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from "./databases.js";
import {
  grant,
  makeGlobalAdmin,
  makeMember,
  makeRegistration,
  makeScene,
  serviceContext,
  TestClock,
} from "./factories.js";

/** The HS256 secret every test app accepts. */
export const TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789";

export interface HttpTestOptions {
  /** Principal cache; 0 (the default here) asks the membership table on every request. */
  cacheSeconds?: number;
  /** The principal cache's clock (milliseconds); tests move it instead of sleeping. */
  authNow?: () => number;
  /** Overrides for the authenticator (JWKS, issuer, audience). */
  auth?: Partial<AuthOptions>;
  verifyRateLimit?: number;
  /** The CSV import's size limit in bytes (50 MB by default). */
  importBodyLimit?: number;
  /** Serve the web pages too (off by default: most tests are about the API). */
  pages?: boolean;
  clock?: TestClock;
  /** CERTSVC_PUBLIC_URL (http://127.0.0.1 unless given). */
  publicUrl?: string;
  timeouts?: ServerDeps["timeouts"];
  /** A logger for the server (none by default). */
  logger?: Logger;
}

export interface HttpTestApp {
  app: App;
  database: TestDatabase;
  ctx: ReturnType<typeof serviceContext>;
  clock: TestClock;
  auth: Authenticator;
  /** A bearer token for a user id or `service:<name>`, signed with TEST_JWT_SECRET. */
  token(subject: string, options?: { ttlSeconds?: number }): Promise<string>;
  /** `{ authorization: "Bearer …" }` for a subject. */
  bearer(subject: string): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

/**
 * The HTTP server on a fresh test database, with a known JWT secret and a hand-moved clock.
 * It does not listen: use `app.inject`, or `app.listen({ port: 0 })` for real HTTP.
 */
export async function createHttpTestApp(
  kind: TestDatabaseKind,
  options: HttpTestOptions = {},
): Promise<HttpTestApp> {
  const database = await createTestDatabase(kind);
  const clock = options.clock ?? new TestClock();
  const ctx = serviceContext(database.database, clock);
  const auth = new Authenticator(database.database.db, {
    jwtSecret: TEST_JWT_SECRET,
    jwksUrl: null,
    issuer: null,
    audience: null,
    cacheSeconds: options.cacheSeconds ?? 0,
    ...(options.authNow ? { now: options.authNow } : {}),
    ...options.auth,
  });
  const app = await buildApp(
    {
      ctx,
      auth,
      logger: options.logger ?? false,
      publicUrl: options.publicUrl ?? "http://127.0.0.1",
      verifyRateLimit: options.verifyRateLimit ?? 10_000,
      ...(options.importBodyLimit ? { importBodyLimit: options.importBodyLimit } : {}),
      notifyMaxAttempts: 3,
      readiness: readinessOf(database.database),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    },
    { pages: options.pages ?? false },
  );
  await app.ready();
  const token = (subject: string, tokenOptions: { ttlSeconds?: number } = {}) =>
    signToken(TEST_JWT_SECRET, subject, tokenOptions);
  return {
    app,
    database,
    ctx,
    clock,
    auth,
    token,
    bearer: async (subject) => ({ authorization: `Bearer ${await token(subject)}` }),
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

/**
 * Organization A with its coordinator, org admin, holder (Mari Mentor), a type, a completed
 * course registration of the holder and a certification; organization B with the same roles; a
 * global admin. Every actor comes with a token.
 */
export async function makeHttpWorld(t: HttpTestApp) {
  const a = await makeScene(t.ctx);
  const b = await makeScene(t.ctx);
  const globalAdmin = await makeGlobalAdmin(t.ctx);
  const registration = await makeRegistration(t.ctx, a.organization.id, a.mentor.userId);
  const certification = await grant(t.ctx, a);
  const otherMentor = await makeMember(t.ctx, a.organization.id, "peer_mentor");
  const tokens = {
    coordinatorA: await t.token(a.coordinator.userId),
    adminA: await t.token(a.admin.userId),
    mentorA: await t.token(a.mentor.userId),
    otherMentorA: await t.token(otherMentor.userId),
    coordinatorB: await t.token(b.coordinator.userId),
    adminB: await t.token(b.admin.userId),
    mentorB: await t.token(b.mentor.userId),
    globalAdmin: await t.token(globalAdmin.userId),
    service: await t.token("service:course-module"),
    stranger: await t.token(randomUUID()),
  };
  return { a, b, globalAdmin, registration, certification, otherMentor, tokens };
}

export type HttpWorld = Awaited<ReturnType<typeof makeHttpWorld>>;

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  text: string;
}

export interface HttpRequest {
  method: string;
  url: string;
  token?: string | undefined;
  body?: unknown;
  /** A raw body sent as is (with its own content type header). */
  payload?: string;
  headers?: Record<string, string>;
}

/** One way of sending a request: through `inject`, or over a real socket with `fetch`. */
export type Transport = (request: HttpRequest) => Promise<HttpAnswer>;

function requestHeaders(request: HttpRequest): Record<string, string> {
  return {
    ...(request.body !== undefined ? { "content-type": "application/json" } : {}),
    ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
    ...request.headers,
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function injectTransport(app: App): Transport {
  return async (request) => {
    const response = await app.inject({
      method: request.method as "GET",
      url: request.url,
      headers: requestHeaders(request),
      ...(request.payload !== undefined
        ? { payload: request.payload }
        : request.body !== undefined
          ? { payload: JSON.stringify(request.body) }
          : {}),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : String(value);
    }
    return { status: response.statusCode, headers, body: parse(response.body), text: response.body };
  };
}

/** Listens on 127.0.0.1 with a port the system picks; requests go over real HTTP. */
export async function fetchTransport(app: App): Promise<Transport> {
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  return async (request) => {
    const body =
      request.payload !== undefined
        ? request.payload
        : request.body !== undefined
          ? JSON.stringify(request.body)
          : undefined;
    const response = await fetch(`${address}${request.url}`, {
      method: request.method,
      headers: requestHeaders(request),
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: response.status, headers, body: parse(text), text };
  };
}

/**
 * Opens a connection to `address`, writes `bytes` (if any), and resolves with everything read
 * once the server closes it: for the answers Node and Fastify give before any route runs.
 */
export function rawExchange(address: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(address);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      if (bytes) socket.write(bytes);
    });
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      text += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(text));
  });
}

/** One raw HTTP/1.1 answer with a JSON body, as status, lower-cased headers and body. */
export function parseRawAnswer(text: string): HttpAnswer {
  const [head = "", body = ""] = text.split("\r\n\r\n");
  const [statusLine = "", ...lines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(":");
    headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
  }
  return { status: Number(statusLine.split(" ")[1]), headers, body: JSON.parse(body), text: body };
}
