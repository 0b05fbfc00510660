import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../test/databases.js";
import {
  createHttpTestApp,
  type HttpAnswer,
  type HttpTestApp,
  type HttpWorld,
  injectTransport,
  makeHttpWorld,
  type Transport,
} from "../../test/http.js";
import {
  bodySchemaOf,
  fillPath,
  type OpenApiDocument,
  queryParamsOf,
  type Route,
  routesOf,
  sampleOf,
} from "../../test/openapi.js";
import { expectNothingInternal } from "../../test/problems.js";
import { countRows } from "../../test/snapshots.js";

const OTHER_ORGANIZATION_ROLES = ["mentorB", "coordinatorB", "adminB"] as const;

describe.each(DATABASE_KINDS)("routes from the OpenAPI document on %s", (kind) => {
  let t: HttpTestApp;
  let w: HttpWorld;
  let send: Transport;
  let document: OpenApiDocument;
  let routes: Route[];
  let deadJobId: string;

  beforeAll(async () => {
    t = await createHttpTestApp(kind);
    w = await makeHttpWorld(t);
    send = injectTransport(t.app);
    document = (await send({ method: "GET", url: "/openapi.json" })).body as OpenApiDocument;
    routes = routesOf(document);
    deadJobId = randomUUID();
    await sql`insert into jobs (id, queue, payload, state, attempts, max_attempts)
              values (${deadJobId}, 'notification', '{}'::jsonb, 'dead', 3, 3)`.execute(t.ctx.db);
  });
  afterAll(async () => t.close());

  /** Organization A's real records, by the name of the parameter or field that points at them. */
  function realIds(route: Route): Record<string, string> {
    return {
      orgId: w.a.organization.id,
      userId: w.a.mentor.userId,
      id: route.path.startsWith("/v1/admin/jobs/") ? deadJobId : w.certification.id,
      certificate_number: w.certification.certificate_number,
      user_id: w.a.mentor.userId,
      certification_type_id: w.a.type.id,
      course_registration_id: w.registration.id,
    };
  }

  function randomIds(route: Route): Record<string, string> {
    const ids: Record<string, string> = { ...realIds(route) };
    for (const name of route.pathParams) {
      ids[name] = name === "certificate_number" ? "ZZZQ-2025-99999" : randomUUID();
    }
    return ids;
  }

  function requestFor(route: Route, ids: Record<string, string>, token: string) {
    const schema = bodySchemaOf(route);
    const query = queryParamsOf(route)
      .filter((parameter) => parameter.required)
      .map(
        (parameter) =>
          `${parameter.name}=${encodeURIComponent(String(sampleOf(parameter.schema, document, ids, t.clock.now(), parameter.name)))}`,
      )
      .join("&");
    return {
      method: route.method,
      url: `${fillPath(route.path, ids)}${query ? `?${query}` : ""}`,
      token,
      ...(schema ? { body: sampleOf(schema, document, ids, t.clock.now()) } : {}),
    };
  }

  const codeOf = (answer: HttpAnswer) => (answer.body as { code?: string } | undefined)?.code;

  it("documents every route; the count is reported", () => {
    const withParams = routes.filter((route) => route.pathParams.length > 0 && !route.isPublic);
    console.info(
      `[${kind}] OpenAPI: ${routes.length} route × method pairs in ${Object.keys(document.paths).length} paths; ` +
        `${withParams.length} with path parameters behind a token → isolation matrix ${withParams.length} × ${OTHER_ORGANIZATION_ROLES.length} roles = ${withParams.length * OTHER_ORGANIZATION_ROLES.length} cells`,
    );
    expect(routes.length).toBeGreaterThanOrEqual(30);
  });

  it("never lets a role of another organization reach organization A's records, nor tells them apart from missing ones", async () => {
    const cells: string[] = [];
    for (const route of routes.filter((r) => r.pathParams.length > 0 && !r.isPublic)) {
      for (const role of OTHER_ORGANIZATION_ROLES) {
        const token = w.tokens[role];
        const before = await countRows(t.ctx.db);
        const real = await send(requestFor(route, realIds(route), token));
        const missing = await send(requestFor(route, randomIds(route), token));
        const cell = `${route.method} ${route.path} as ${role}`;
        cells.push(cell);
        expectNothingInternal(real);
        expect({ cell, status: real.status, code: codeOf(real) }).toEqual({
          cell,
          status: missing.status,
          code: codeOf(missing),
        });
        expect({ cell, status: real.status }).toEqual({
          cell,
          status: expect.toSatisfy((s: number) => s >= 400),
        });
        expect({ cell, rows: await countRows(t.ctx.db) }).toEqual({ cell, rows: before });
      }
    }
    console.info(`[${kind}] isolation matrix: ${cells.length} cells checked`);
    expect(cells.length).toBeGreaterThanOrEqual(3 * 15);
  });

  it("answers random bad input on every route without a 5xx, and a refusal writes nothing", async () => {
    const weird = fc.oneof(
      fc.string(),
      fc.constantFrom(
        "",
        " ",
        "null",
        "0",
        "-1",
        "1e400",
        "NaN",
        "2025-02-30T00:00:00Z",
        "../..",
        "%00",
        "\u0000",
        "😀",
      ),
      fc.uuid(),
      fc.integer().map(String),
    );
    const json: fc.Arbitrary<unknown> = fc.jsonValue();
    let requests = 0;
    // Counts after the previous request: a refused request must leave them as they were.
    let counts = await countRows(t.ctx.db);
    for (const route of routes) {
      const schema = bodySchemaOf(route);
      const valid = schema
        ? (sampleOf(schema, document, realIds(route), t.clock.now()) as Record<string, unknown>)
        : undefined;
      const queryNames = queryParamsOf(route).map((parameter) => parameter.name);
      const fields = Object.keys(valid ?? {});
      const body: fc.Arbitrary<unknown> =
        valid && fields.length > 0
          ? fc.oneof(
              json,
              // Valid but for one thing: a required field missing, an unknown field, a field of the wrong kind.
              fc.constantFrom(...fields).map((drop) => {
                const copy = { ...valid };
                delete copy[drop];
                return copy;
              }),
              json.map((extra) => ({ ...valid, unknown_field: extra })),
              fc
                .tuple(fc.constantFrom(...fields), fc.oneof(fc.object(), fc.array(json), fc.boolean()))
                .map(([field, value]) => ({ ...valid, [field]: value })),
            )
          : fc.option(json, { nil: undefined });
      const params = fc.record(
        Object.fromEntries(
          route.pathParams.map((name) => [
            name,
            fc.oneof(weird, fc.constant(realIds(route)[name] ?? randomUUID())),
          ]),
        ),
      );
      const query = fc.dictionary(fc.constantFrom(...queryNames, "unknown", "limit"), weird, { maxKeys: 3 });
      const token = fc.constantFrom(
        w.tokens.globalAdmin,
        w.tokens.coordinatorA,
        w.tokens.service,
        w.tokens.mentorB,
      );
      await fc.assert(
        fc.asyncProperty(params, query, body, token, async (path, queryValues, payload, bearer) => {
          requests += 1;
          const before = counts;
          const search = new URLSearchParams(queryValues as Record<string, string>).toString();
          const answer = await send({
            method: route.method,
            url: `${fillPath(route.path, path as Record<string, string>)}${search ? `?${search}` : ""}`,
            token: bearer,
            ...(payload !== undefined ? { body: payload } : {}),
          });
          const where = `${route.method} ${route.path}`;
          expect({ where, status: answer.status }).toEqual({
            where,
            status: expect.toSatisfy((s: number) => s < 500),
          });
          expectNothingInternal(answer);
          counts = await countRows(t.ctx.db);
          if (answer.status >= 400) expect({ where, rows: counts }).toEqual({ where, rows: before });
        }),
        { numRuns: 20, seed: 20250101 + route.path.length },
      );
    }
    console.info(`[${kind}] property-based bad input: ${requests} requests over ${routes.length} routes`);
  }, 600_000);
});
