import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeMember, makeRegistration } from "../../test/factories.js";
import {
  createHttpTestApp,
  fetchTransport,
  type HttpRequest,
  type HttpTestApp,
  type HttpWorld,
  makeHttpWorld,
  type Transport,
} from "../../test/http.js";
import { bodySchemaOf, fillPath, type OpenApiDocument, routesOf, sampleOf } from "../../test/openapi.js";
import { ResponseValidator } from "../../test/openapi-validator.js";

/*
 * Real answers of a listening server, checked against the document it serves: status, content
 * type, body schema and headers. First the main flows on purpose (success and each kind of
 * refusal), then every documented operation as a global admin and without a token.
 */
describe("real answers match the OpenAPI document", () => {
  let t: HttpTestApp;
  let w: HttpWorld;
  let send: Transport;
  let validator: ResponseValidator;
  let document: OpenApiDocument;
  const mismatches: string[] = [];
  let checked = 0;

  async function call(request: HttpRequest) {
    const answer = await send(request);
    checked += 1;
    mismatches.push(...validator.check(request.method, request.url, answer));
    return answer;
  }

  beforeAll(async () => {
    t = await createHttpTestApp("pglite", { pages: true, verifyRateLimit: 1000 });
    w = await makeHttpWorld(t);
    send = await fetchTransport(t.app);
    document = (await send({ method: "GET", url: "/openapi.json" })).body as OpenApiDocument;
    validator = new ResponseValidator(document);
  });
  afterAll(async () => t?.close());

  it("the main flows: issuing, replays, reading, changing, refusing, CSV and health", async () => {
    const org = w.a.organization.id;
    const { tokens } = w;
    const newcomer = await makeMember(t.ctx, org, "peer_mentor");
    const body = { user_id: newcomer.userId, certification_type_id: w.a.type.id, notes: "=1+1" };
    const grant = {
      method: "POST",
      url: `/v1/organizations/${org}/certifications`,
      token: tokens.coordinatorA,
    };
    const key = { "idempotency-key": randomUUID() };
    const issued = await call({ ...grant, body, headers: key });
    expect(issued.status).toBe(201);
    expect((await call({ ...grant, body, headers: key })).status).toBe(201);
    expect((await call({ ...grant, body: { ...body, notes: "other" }, headers: key })).status).toBe(422);
    expect((await call({ ...grant, body })).status).toBe(409);
    expect((await call({ ...grant, body: { ...body, user_id: "nope" } })).status).toBe(400);
    expect((await call({ ...grant, token: tokens.mentorA, body })).status).toBe(422);
    expect((await call({ ...grant, token: undefined, body })).status).toBe(401);
    const id = (issued.body as { id: string }).id;
    const number = (issued.body as { certificate_number: string }).certificate_number;

    const registration = await makeRegistration(t.ctx, org, w.otherMentor.userId);
    const course = {
      method: "POST",
      url: `/v1/organizations/${org}/certifications/course-completions`,
      token: tokens.service,
      body: { course_registration_id: registration.id, certification_type_id: w.a.type.id },
    };
    expect((await call(course)).status).toBe(201);
    expect((await call(course)).status).toBe(200);

    const read = await call({ method: "GET", url: `/v1/certifications/${id}`, token: tokens.coordinatorA });
    await call({ method: "GET", url: `/v1/certifications/by-number/${number}`, token: tokens.coordinatorA });
    await call({ method: "GET", url: "/v1/certifications/by-number/nonsense", token: tokens.coordinatorA });
    await call({ method: "GET", url: `/v1/certifications/${randomUUID()}`, token: tokens.coordinatorA });
    await call({
      method: "GET",
      url: `/v1/organizations/${org}/certifications/expiring`,
      token: tokens.coordinatorA,
    });
    await call({
      method: "GET",
      url: `/v1/organizations/${org}/certifications?limit=1`,
      token: tokens.adminA,
    });
    await call({
      method: "GET",
      url: `/v1/users/${newcomer.userId}/eligibility?certification_type_id=${w.a.type.id}`,
      token: tokens.service,
    });
    const patch = { method: "PATCH", url: `/v1/certifications/${id}`, token: tokens.coordinatorA };
    expect((await call({ ...patch, body: { notes: "x" }, headers: { "if-match": '"stale"' } })).status).toBe(
      412,
    );
    await call({ ...patch, body: { notes: "y" }, headers: { "if-match": read.headers.etag ?? "" } });
    await call({ ...patch, body: { status: "active" } });
    await call({ ...patch, body: { status: "expired" } });
    const revoke = { method: "POST", url: `/v1/certifications/${id}/revoke`, token: tokens.coordinatorA };
    expect((await call({ ...revoke, body: { reason: " " } })).status).toBe(422);
    expect((await call({ ...revoke, body: { reason: "Wrong member" } })).status).toBe(200);
    expect((await call({ ...patch, body: { notes: "z", status: "active" } })).status).toBe(409);
    await call({
      method: "POST",
      url: `/v1/certifications/${id}/reinstate`,
      token: tokens.globalAdmin,
      body: { reason: "Mistake" },
    });
    await call({ method: "GET", url: `/v1/certifications/${id}/events`, token: tokens.coordinatorA });
    await call({
      method: "GET",
      url: `/v1/certifications/${id}/certificate.pdf`,
      token: tokens.coordinatorA,
    });

    const exported = await call({
      method: "GET",
      url: `/v1/organizations/${org}/certifications/export`,
      token: tokens.adminA,
    });
    expect(exported.headers["content-type"]).toMatch(/^text\/csv/);
    const report = `/v1/organizations/${org}/reports/certified-mentors?year=${t.clock.now().getUTCFullYear()}`;
    expect(
      (await call({ method: "GET", url: `${report}&format=csv`, token: tokens.adminA })).headers[
        "content-type"
      ],
    ).toMatch(/^text\/csv/);
    await call({ method: "GET", url: report, token: tokens.adminA });
    const importUrl = `/v1/organizations/${org}/certifications/import`;
    const csv = (line: string) => `user_id,display_name,certification_type_id,issued_at\n${line}\n`;
    const upload = {
      method: "POST",
      url: importUrl,
      token: tokens.adminA,
      headers: { "content-type": "text/csv" },
    };
    expect(
      (
        await call({
          ...upload,
          payload: csv(`${randomUUID()},Ny Person,${w.a.type.id},2025-01-01T00:00:00Z`),
        })
      ).status,
    ).toBe(200);
    expect(
      (await call({ ...upload, payload: csv(`nope,,${w.a.type.id},2025-01-01T00:00:00Z`) })).status,
    ).toBe(400);

    await call({ method: "GET", url: `/v1/verify/${number}` });
    await call({ method: "GET", url: "/v1/verify/not-a-number" });
    for (const url of ["/healthz", "/readyz", "/metrics", "/healthz?unknown=1"])
      await call({ method: "GET", url });
    await call({ method: "POST", url: "/v1/admin/jobs/expiry-sweep", token: tokens.globalAdmin });

    expect(mismatches).toEqual([]);
  });

  it("the check itself notices an undocumented status, content type, body or header", () => {
    const url = `/v1/certifications/${randomUUID()}`;
    const answer = (status: number, type: string, body: unknown, headers: Record<string, string> = {}) => ({
      status,
      headers: { "content-type": type, ...headers },
      body,
      text: JSON.stringify(body),
    });
    expect(validator.check("GET", url, answer(418, "application/json", {}))).toHaveLength(1);
    expect(validator.check("GET", url, answer(404, "application/json", {}))).toHaveLength(1);
    expect(validator.check("GET", url, answer(404, "application/problem+json", { code: 1 }))).toHaveLength(1);
    expect(validator.check("GET", url, answer(200, "application/json", {}))).toHaveLength(2);
    expect(validator.check("DELETE", "/v1/nowhere", answer(200, "application/json", {}))).toHaveLength(1);
  });

  it("every documented operation, as a global admin and without a token", async () => {
    const ids: Record<string, string> = {
      orgId: w.b.organization.id,
      userId: w.b.mentor.userId,
      id: randomUUID(),
      certificate_number: "ZZZQ-2025-99999",
      user_id: w.b.mentor.userId,
      certification_type_id: w.b.type.id,
    };
    const routes = routesOf(document);
    for (const route of routes) {
      const schema = bodySchemaOf(route);
      const query = (route.operation.parameters ?? [])
        .filter((parameter) => parameter.in === "query" && parameter.required)
        .map(
          (parameter) =>
            `${parameter.name}=${encodeURIComponent(String(sampleOf(parameter.schema, document, ids, t.clock.now(), parameter.name)))}`,
        )
        .join("&");
      const url = `${fillPath(route.path, ids)}${query ? `?${query}` : ""}`;
      const payload = schema ? { body: sampleOf(schema, document, ids, t.clock.now()) } : {};
      await call({ method: route.method, url, token: w.tokens.globalAdmin, ...payload });
      await call({ method: route.method, url, ...payload });
    }
    console.info(
      `OpenAPI responses: ${checked} answers checked, ${validator.covered.size} operation × status × content type combinations seen over ${routes.length} operations`,
    );
    expect(mismatches).toEqual([]);
  });
});
