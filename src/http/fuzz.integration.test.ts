import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createHttpTestApp,
  type HttpAnswer,
  type HttpRequest,
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

/**
 * 12 000 generated requests over every route of the OpenAPI document and some that do not
 * exist, anonymous and with tokens of every kind: bodies deeply nested, of the wrong media type,
 * of the wrong JSON types, or not JSON at all; odd path and query values. None may answer 5xx,
 * every error must be a problem, and nothing may be written. Tokens that could write (staff of
 * organization A, global admins, services, A's holder) only ever send bodies that cannot pass the
 * parser, or reads with ids that do not exist; the others may send anything, at A's real ids.
 */

const REQUESTS = 12_000;
const CONCURRENCY = 8;

type BodyKind =
  | "none"
  | "sample"
  | "json"
  | "wrong-type"
  | "deep"
  | "csv"
  | "plain"
  | "untyped"
  | "broken"
  | "form";
const UNPARSABLE: BodyKind[] = ["deep", "csv", "plain", "untyped", "broken", "form"];
const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const weird = fc.oneof(
  fc.string({ maxLength: 40 }),
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
    "😀",
    "a".repeat(300),
  ),
  fc.uuid(),
  fc.integer().map(String),
);

const deepJson = fc
  .tuple(fc.integer({ min: 33, max: 6000 }), fc.boolean())
  .map(([depth, objects]) =>
    objects ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}` : `${"[".repeat(depth)}${"]".repeat(depth)}`,
  );

/** Puts a value of another JSON type into one field of a valid body. */
const wrongType = (valid: Record<string, unknown>) =>
  fc
    .tuple(
      fc.constantFrom(...Object.keys(valid), "unknown_field"),
      fc.oneof(
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.string(), { maxLength: 2 }),
        fc.object({ maxDepth: 2 }),
      ),
    )
    .map(([field, value]) => ({ ...valid, [field]: value }));

describe("fuzz over every route", () => {
  let t: HttpTestApp;
  let w: HttpWorld;
  let send: Transport;
  let routes: Route[];
  let document: OpenApiDocument;

  beforeAll(async () => {
    t = await createHttpTestApp("pglite");
    w = await makeHttpWorld(t);
    send = injectTransport(t.app);
    document = (await send({ method: "GET", url: "/openapi.json" })).body as OpenApiDocument;
    routes = [
      ...routesOf(document),
      ...["GET", "POST", "PUT"].map((method) => ({
        method,
        path: "/v1/nonexistent/{id}",
        operation: {},
        pathParams: ["id"],
        isPublic: true,
      })),
    ];
  });
  afterAll(async () => t.close());

  function realIds(): Record<string, string> {
    return {
      orgId: w.a.organization.id,
      userId: w.a.mentor.userId,
      id: w.certification.id,
      certificate_number: w.certification.certificate_number,
      user_id: w.a.mentor.userId,
      certification_type_id: w.a.type.id,
      course_registration_id: w.registration.id,
    };
  }

  function requestArbitrary(): fc.Arbitrary<HttpRequest & { where: string }> {
    const harmlessTokens = [
      undefined,
      w.tokens.stranger,
      w.tokens.mentorB,
      w.tokens.coordinatorB,
      w.tokens.adminB,
    ];
    const mightyTokens = [
      w.tokens.globalAdmin,
      w.tokens.adminA,
      w.tokens.coordinatorA,
      w.tokens.mentorA,
      w.tokens.service,
    ];
    return fc
      .record({
        route: fc.constantFrom(...routes),
        mightyToken: fc.boolean(),
        tokenIndex: fc.nat({ max: 4 }),
        realIds: fc.boolean(),
        weirdIds: fc.dictionary(
          fc.constantFrom("orgId", "userId", "id", "certificate_number", "linkId", "listId", "token"),
          weird,
          {
            maxKeys: 2,
          },
        ),
        query: fc.dictionary(
          fc.constantFrom("limit", "cursor", "status", "q", "role", "code", "within_days", "format", "x"),
          weird,
          {
            maxKeys: 3,
          },
        ),
        bodyKind: fc.constantFrom<BodyKind>(
          "none",
          "sample",
          "json",
          "wrong-type",
          "deep",
          "csv",
          "plain",
          "untyped",
          "broken",
          "form",
        ),
        seed: fc.nat(),
      })
      .chain((choice) => {
        const { route } = choice;
        const mighty = choice.mightyToken;
        const token = (mighty ? mightyTokens : harmlessTokens)[choice.tokenIndex];
        const ids = mighty || !choice.realIds ? {} : realIds();
        const pathValues: Record<string, string> = {};
        for (const name of route.pathParams) {
          pathValues[name] =
            choice.weirdIds[name] ??
            ids[name] ??
            (name === "certificate_number" ? "ZZZQ-2025-99999" : randomUUID());
        }
        const queryNames = queryParamsOf(route).map((parameter) => parameter.name);
        const query = new URLSearchParams(
          Object.fromEntries(
            Object.entries(choice.query).map(([name, value]) => [
              queryNames[0] && name === "x" ? queryNames[0] : name,
              value,
            ]),
          ),
        ).toString();
        const url = `${fillPath(route.path, pathValues)}${query ? `?${query}` : ""}`;
        const where = `${route.method} ${route.path}`;
        let kind = choice.bodyKind;
        if (!BODY_METHODS.has(route.method)) kind = "none";
        else if (mighty && !UNPARSABLE.includes(kind))
          kind = UNPARSABLE[choice.seed % UNPARSABLE.length] as BodyKind;
        const schema = bodySchemaOf(route);
        const valid = (schema ? sampleOf(schema, document, ids, t.clock.now()) : {}) as Record<
          string,
          unknown
        >;
        const base = { method: route.method, url, token, where };
        const raw = (payload: fc.Arbitrary<string>, contentType?: string) =>
          payload.map((text) => ({
            ...base,
            payload: text,
            headers: contentType
              ? { "content-type": contentType }
              : { "content-length": String(Buffer.byteLength(text)) },
          }));
        switch (kind) {
          case "none":
            return fc.constant(base);
          case "sample":
            return fc.constant({ ...base, body: valid });
          case "json":
            return fc.jsonValue({ maxDepth: 4 }).map((body) => ({ ...base, body }));
          case "wrong-type":
            return wrongType(valid).map((body) => ({ ...base, body }));
          case "deep":
            return raw(deepJson, "application/json");
          case "csv":
            return raw(fc.constantFrom("user_id,certification_type_id\n1,2\n", "a,b", ""), "text/csv");
          case "plain":
            return raw(fc.string({ maxLength: 50 }), "text/plain");
          case "untyped":
            return raw(fc.string({ minLength: 1, maxLength: 50 }));
          case "broken":
            return raw(
              fc.constantFrom(
                '{"a":',
                "{'a':1}",
                "[1,]",
                '{"a":1}}',
                "\u0000",
                '{"__proto__":{"x":1}}',
                "1e400",
              ),
              "application/json",
            );
          case "form":
            return raw(fc.constant("a=1&b=2"), "application/x-www-form-urlencoded");
        }
      });
  }

  it(`answers ${REQUESTS} generated requests without a 5xx, each error a problem, and writes nothing`, async () => {
    const started = Date.now();
    const requests = fc.sample(requestArbitrary(), { numRuns: REQUESTS, seed: 16 });
    const before = await countRows(t.ctx.db);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const check = (request: (typeof requests)[number], answer: HttpAnswer) => {
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const where = `${request.where} (${request.method} ${request.url.slice(0, 80)})`;
      if (answer.status >= 500) failures.push(`${where}: ${answer.status} ${answer.text.slice(0, 200)}`);
      if (answer.status >= 400) {
        const body = answer.body as { code?: unknown; status?: unknown } | undefined;
        if (
          !/^application\/problem\+json/.test(answer.headers["content-type"] ?? "") ||
          body?.status !== answer.status ||
          typeof body?.code !== "string"
        ) {
          failures.push(`${where}: ${answer.status} is not a problem: ${answer.text.slice(0, 200)}`);
        }
      }
      expectNothingInternal(answer);
    };
    for (let start = 0; start < requests.length; start += CONCURRENCY) {
      const batch = requests.slice(start, start + CONCURRENCY);
      const answers = await Promise.all(batch.map((request) => send(request)));
      for (const [index, request] of batch.entries()) check(request, answers[index] as HttpAnswer);
      if (failures.length > 20) break;
    }
    console.info(
      `fuzz: ${requests.length} requests over ${routes.length} routes in ${Date.now() - started} ms; answers ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
    );
    expect(failures).toEqual([]);
    expect(await countRows(t.ctx.db)).toEqual(before);
    expect(new Set(requests.map((request) => request.where)).size).toBe(routes.length);
  }, 600_000);
});
