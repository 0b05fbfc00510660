import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../test/databases.js";
import { makeType, verificationCodeOf } from "../../test/factories.js";
import {
  createHttpTestApp,
  fetchTransport,
  type HttpAnswer,
  type HttpRequest,
  type HttpTestApp,
  type HttpWorld,
  injectTransport,
  makeHttpWorld,
  type Transport,
} from "../../test/http.js";
import { fullPath, type OpenApiDocument, routesOf } from "../../test/openapi.js";
import { expectProblem } from "../../test/problems.js";
import { countRows } from "../../test/snapshots.js";
import { evaluateBadges } from "../jobs/badges.js";

const DAY = 86_400_000;

interface CertificationBody {
  id: string;
  status: string;
  certificate_number: string;
  user_id: string;
  expires_at: string | null;
  issued_by_user_id: string | null;
  source: string;
  revoked_at: string | null;
}

const TRANSPORTS = ["inject", "real HTTP"] as const;

describe.each(DATABASE_KINDS)("HTTP API on %s", (kind) => {
  describe.each(TRANSPORTS)("through %s", (transportName) => {
    let t: HttpTestApp;
    let w: HttpWorld;
    let send: Transport;
    let orgA: string;

    beforeAll(async () => {
      t = await createHttpTestApp(kind);
      w = await makeHttpWorld(t);
      send = transportName === "inject" ? injectTransport(t.app) : await fetchTransport(t.app);
      orgA = w.a.organization.id;
    });
    afterAll(async () => t.close());

    const call = (request: HttpRequest): Promise<HttpAnswer> => send(request);
    const certOf = (answer: HttpAnswer) => answer.body as CertificationBody;

    /** A fresh member of A with a certification, so tests do not share lifecycles. */
    async function freshCertification(options: { expiresInDays?: number } = {}) {
      const userId = randomUUID();
      const put = await call({
        method: "PUT",
        url: `/v1/organizations/${orgA}/members/${userId}`,
        token: w.tokens.adminA,
        body: { role: "peer_mentor", display_name: "Ola Nordmann" },
      });
      expect(put.status).toBe(201);
      const now = t.clock.now().getTime();
      const answer = await call({
        method: "POST",
        url: `/v1/organizations/${orgA}/certifications`,
        token: w.tokens.coordinatorA,
        body: {
          user_id: userId,
          certification_type_id: w.a.type.id,
          ...(options.expiresInDays !== undefined
            ? { expires_at: new Date(now + options.expiresInDays * DAY).toISOString() }
            : {}),
        },
      });
      expect(answer.status).toBe(201);
      return { userId, answer, cert: certOf(answer), etag: answer.headers.etag as string };
    }

    describe("operations and documents", () => {
      it("answers /healthz, /readyz and /metrics without a token", async () => {
        expect((await call({ method: "GET", url: "/healthz" })).body).toEqual({ status: "ok" });
        const ready = await call({ method: "GET", url: "/readyz" });
        expect(ready.status).toBe(200);
        expect(ready.body).toMatchObject({ status: "ready" });
        const metrics = await call({ method: "GET", url: "/metrics" });
        expect(metrics.status).toBe(200);
        expect(metrics.text).toContain("http_request");
      });

      it("serves OpenAPI 3.1 at /openapi.json with a description on every route", async () => {
        const answer = await call({ method: "GET", url: "/openapi.json" });
        expect(answer.status).toBe(200);
        const doc = answer.body as OpenApiDocument & { openapi: string };
        expect(doc.openapi).toBe("3.1.0");
        for (const route of routesOf(doc)) {
          expect(route.operation.description, `${route.method} ${route.path}`).toBeTruthy();
        }
        expect(Object.keys(doc.paths).map((path) => fullPath(doc, path))).toEqual(
          expect.arrayContaining([
            "/v1/organizations",
            "/v1/organizations/{orgId}/members/{userId}",
            "/v1/organizations/{orgId}/certification-types",
            "/v1/certification-types",
            "/v1/organizations/{orgId}/course-registrations",
            "/v1/organizations/{orgId}/certifications",
            "/v1/organizations/{orgId}/certifications/course-completions",
            "/v1/certifications/{id}",
            "/v1/certifications/by-number/{certificate_number}",
            "/v1/organizations/{orgId}/certifications/expiring",
            "/v1/users/{userId}/certifications",
            "/v1/users/{userId}/eligibility",
            "/v1/certifications/{id}/renew",
            "/v1/certifications/{id}/revoke",
            "/v1/certifications/{id}/reinstate",
            "/v1/certifications/{id}/events",
            "/v1/verify/{certificate_number}",
            "/v1/users/{userId}/badges",
            "/v1/admin/jobs/expiry-sweep",
            "/v1/admin/jobs/dead",
            "/v1/admin/jobs/{id}/retry",
          ]),
        );
      });

      it("serves the API docs at /docs", async () => {
        const answer = await call({ method: "GET", url: "/docs/" });
        expect(answer.status).toBe(200);
        expect(answer.text.toLowerCase()).toContain("swagger");
      });

      it("answers an unknown route with a not_found problem", async () => {
        expectProblem(
          await call({ method: "GET", url: "/v1/nothing-here", token: w.tokens.globalAdmin }),
          404,
          "not_found",
        );
      });
    });

    describe("directory", () => {
      it("lets a global admin create an organization (201), and refuses a peer mentor with forbidden", async () => {
        const prefix = `Q${randomUUID()
          .replaceAll("-", "")
          .slice(0, 6)
          .toUpperCase()
          .replace(/^[0-9]/, "Q")}`;
        const created = await call({
          method: "POST",
          url: "/v1/organizations",
          token: w.tokens.globalAdmin,
          body: { name: "Blindeforbundet", prefix, time_zone: "Europe/Oslo" },
        });
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({ name: "Blindeforbundet", prefix, time_zone: "Europe/Oslo" });
        expectProblem(
          await call({
            method: "POST",
            url: "/v1/organizations",
            token: w.tokens.mentorA,
            body: { name: "X", prefix: "XQ" },
          }),
          403,
          "forbidden",
        );
        expectProblem(
          await call({
            method: "POST",
            url: "/v1/organizations",
            token: w.tokens.globalAdmin,
            body: { name: "X", prefix: "lower" },
          }),
          400,
          "invalid_request",
        );
      });

      it("sets a member (201 new, 200 changed) and lists members and the caller's own roles", async () => {
        const userId = randomUUID();
        const url = `/v1/organizations/${orgA}/members/${userId}`;
        const body = { role: "peer_mentor", display_name: "Kari Nordmann" };
        expect((await call({ method: "PUT", url, token: w.tokens.adminA, body })).status).toBe(201);
        const changed = await call({
          method: "PUT",
          url,
          token: w.tokens.adminA,
          body: { ...body, role: "coordinator" },
        });
        expect(changed.status).toBe(200);
        expect(changed.body).toEqual({
          organization_id: orgA,
          user_id: userId,
          role: "coordinator",
          display_name: "Kari Nordmann",
        });
        expectProblem(
          await call({ method: "PUT", url, token: w.tokens.coordinatorA, body }),
          403,
          "forbidden",
        );
        const members = await call({
          method: "GET",
          url: `/v1/organizations/${orgA}/members`,
          token: w.tokens.coordinatorA,
        });
        expect((members.body as { items: { user_id: string }[] }).items.map((m) => m.user_id)).toContain(
          userId,
        );
        const me = await call({ method: "GET", url: "/v1/me", token: await t.token(userId) });
        expect(me.body).toMatchObject({
          kind: "user",
          user_id: userId,
          memberships: [{ organization_id: orgA, role: "coordinator" }],
        });
        const orgs = await call({ method: "GET", url: "/v1/organizations", token: w.tokens.mentorA });
        expect((orgs.body as { items: { id: string }[] }).items.map((o) => o.id)).toEqual([orgA]);
      });

      it("creates organization and global certification types, and lists them", async () => {
        const own = await call({
          method: "POST",
          url: `/v1/organizations/${orgA}/certification-types`,
          token: w.tokens.adminA,
          body: { name: `Likeperson ${randomUUID().slice(0, 6)}`, validity_months: 12, warning_days: 14 },
        });
        expect(own.status).toBe(201);
        expect(own.body).toMatchObject({ organization_id: orgA, validity_months: 12, warning_days: 14 });
        const global = await call({
          method: "POST",
          url: "/v1/certification-types",
          token: w.tokens.globalAdmin,
          body: { name: `Global ${randomUUID().slice(0, 6)}`, validity_months: null },
        });
        expect(global.status).toBe(201);
        expect(global.body).toMatchObject({ organization_id: null, validity_months: null, warning_days: 30 });
        expectProblem(
          await call({
            method: "POST",
            url: "/v1/certification-types",
            token: w.tokens.adminA,
            body: { name: "G", validity_months: null },
          }),
          403,
          "forbidden",
        );
        const list = await call({
          method: "GET",
          url: `/v1/organizations/${orgA}/certification-types`,
          token: w.tokens.mentorA,
        });
        const ids = (list.body as { items: { id: string }[] }).items.map((type) => type.id);
        expect(ids).toEqual(
          expect.arrayContaining([(own.body as { id: string }).id, (global.body as { id: string }).id]),
        );
      });

      it("records course registrations for staff and services (201 new, 200 again)", async () => {
        const body = {
          user_id: w.a.mentor.userId,
          course_id: `kurs-${randomUUID().slice(0, 6)}`,
          completed_at: null,
        };
        const url = `/v1/organizations/${orgA}/course-registrations`;
        const first = await call({ method: "POST", url, token: w.tokens.service, body });
        expect(first.status).toBe(201);
        const again = await call({
          method: "POST",
          url,
          token: w.tokens.coordinatorA,
          body: { ...body, completed_at: t.clock.now().toISOString() },
        });
        expect(again.status).toBe(200);
        expect(again.body).toMatchObject({
          id: (first.body as { id: string }).id,
          completed_at: t.clock.now().toISOString(),
        });
        expectProblem(await call({ method: "POST", url, token: w.tokens.mentorA, body }), 403, "forbidden");
      });
    });

    describe("issuing", () => {
      it("grants with 201, Location and ETag; the service owns number, status, source and issuer", async () => {
        const { answer, cert, userId } = await freshCertification();
        expect(answer.headers.location).toBe(`/v1/certifications/${cert.id}`);
        expect(answer.headers.etag).toMatch(/^"[^"]+"$/);
        expect(cert).toMatchObject({
          user_id: userId,
          status: "active",
          source: "manual_grant",
          issued_by_user_id: w.a.coordinator.userId,
          revoked_at: null,
        });
        expect(cert.certificate_number).toMatch(new RegExp(`^${w.a.organization.prefix}-\\d{4}-\\d{5,}$`));
        const fetched = await call({
          method: "GET",
          url: answer.headers.location as string,
          token: w.tokens.coordinatorA,
        });
        expect(fetched.headers.etag).toBe(answer.headers.etag);
      });

      it.each([
        ["status", "active"],
        ["certificate_number", "NHF-2025-00001"],
        ["organization_id", randomUUID()],
        ["source", "course_completion"],
        ["issued_by_user_id", randomUUID()],
        ["revoked_at", null],
        ["id", randomUUID()],
        ["created_at", "2025-01-01T00:00:00Z"],
      ])("refuses a server-owned field %s in a grant with invalid_request", async (field, value) => {
        const answer = await call({
          method: "POST",
          url: `/v1/organizations/${orgA}/certifications`,
          token: w.tokens.coordinatorA,
          body: { user_id: w.otherMentor.userId, certification_type_id: w.a.type.id, [field]: value },
        });
        const problem = expectProblem(answer, 400, "invalid_request");
        expect(problem.errors).toContainEqual({ field: `body/${field}`, message: "unknown field" });
      });

      it("issues from a course completion (201 by a service, issuer null) and returns it again with 200", async () => {
        const url = `/v1/organizations/${orgA}/certifications/course-completions`;
        const type = await makeType(t.ctx, orgA);
        const body = { course_registration_id: w.registration.id, certification_type_id: type.id };
        const first = await call({ method: "POST", url, token: w.tokens.service, body });
        expect(first.status).toBe(201);
        expect(first.headers.location).toBe(`/v1/certifications/${certOf(first).id}`);
        expect(first.headers.etag).toBeTruthy();
        expect(certOf(first)).toMatchObject({ source: "course_completion", issued_by_user_id: null });
        const repeat = await call({ method: "POST", url, token: w.tokens.coordinatorA, body });
        expect(repeat.status).toBe(200);
        expect(repeat.headers.etag).toBeTruthy();
        expect(certOf(repeat).id).toBe(certOf(first).id);
      });

      it("refuses a course completion without a completed registration: course_registration_source_consistency", async () => {
        const open = await call({
          method: "POST",
          url: `/v1/organizations/${orgA}/course-registrations`,
          token: w.tokens.service,
          body: {
            user_id: w.otherMentor.userId,
            course_id: `open-${randomUUID().slice(0, 6)}`,
            completed_at: null,
          },
        });
        expectProblem(
          await call({
            method: "POST",
            url: `/v1/organizations/${orgA}/certifications/course-completions`,
            token: w.tokens.service,
            body: {
              course_registration_id: (open.body as { id: string }).id,
              certification_type_id: w.a.type.id,
            },
          }),
          422,
          "course_registration_source_consistency",
        );
      });

      it("refuses a second live certification of a type: one_active_cert_per_user_per_type", async () => {
        expectProblem(
          await call({
            method: "POST",
            url: `/v1/organizations/${orgA}/certifications`,
            token: w.tokens.coordinatorA,
            body: { user_id: w.a.mentor.userId, certification_type_id: w.a.type.id },
          }),
          409,
          "one_active_cert_per_user_per_type",
        );
      });

      it("refuses expires_at not after issued_at: expires_at_after_issued_at", async () => {
        expectProblem(
          await call({
            method: "POST",
            url: `/v1/organizations/${orgA}/certifications`,
            token: w.tokens.coordinatorA,
            body: {
              user_id: w.otherMentor.userId,
              certification_type_id: w.a.type.id,
              issued_at: "2025-06-01T00:00:00Z",
              expires_at: "2025-05-01T00:00:00Z",
            },
          }),
          422,
          "expires_at_after_issued_at",
        );
      });

      it("refuses another organization's type: organization_scoped_type", async () => {
        expectProblem(
          await call({
            method: "POST",
            url: `/v1/organizations/${orgA}/certifications`,
            token: w.tokens.coordinatorA,
            body: { user_id: w.otherMentor.userId, certification_type_id: w.b.type.id },
          }),
          422,
          "organization_scoped_type",
        );
      });

      it("refuses a grant by a peer mentor or a service: issued_by_role_check", async () => {
        const body = { user_id: w.otherMentor.userId, certification_type_id: w.a.type.id };
        const url = `/v1/organizations/${orgA}/certifications`;
        expectProblem(
          await call({ method: "POST", url, token: w.tokens.mentorA, body }),
          422,
          "issued_by_role_check",
        );
        expectProblem(
          await call({ method: "POST", url, token: w.tokens.service, body }),
          422,
          "issued_by_role_check",
        );
      });

      it("refuses a future issued_at and an impossible date with invalid_request", async () => {
        const url = `/v1/organizations/${orgA}/certifications`;
        const base = { user_id: w.otherMentor.userId, certification_type_id: w.a.type.id };
        const future = new Date(t.clock.now().getTime() + 2 * DAY).toISOString();
        for (const issued_at of [
          future,
          "2025-02-30T10:00:00Z",
          "2024-12-31T23:59:60Z",
          "2025-01-01",
          "0999-01-01T00:00:00Z",
        ]) {
          expectProblem(
            await call({ method: "POST", url, token: w.tokens.coordinatorA, body: { ...base, issued_at } }),
            400,
            "invalid_request",
          );
        }
      });
    });

    describe("idempotency", () => {
      it("replays a grant with the same key and body (same status and id), and refuses another body: idempotency_key_reused", async () => {
        const key = randomUUID();
        const url = `/v1/organizations/${orgA}/certifications`;
        const type = await makeType(t.ctx, orgA);
        const body = { user_id: w.otherMentor.userId, certification_type_id: type.id, notes: "first" };
        const headers = { "idempotency-key": key };
        const first = await call({ method: "POST", url, token: w.tokens.coordinatorA, body, headers });
        expect(first.status).toBe(201);
        const before = await countRows(t.ctx.db);
        const replay = await call({ method: "POST", url, token: w.tokens.coordinatorA, body, headers });
        expect(replay.status).toBe(201);
        expect(certOf(replay).id).toBe(certOf(first).id);
        expect(replay.headers.location).toBe(first.headers.location);
        expect(replay.headers.etag).toBe(first.headers.etag);
        expectProblem(
          await call({
            method: "POST",
            url,
            token: w.tokens.coordinatorA,
            body: { ...body, notes: "second" },
            headers,
          }),
          422,
          "idempotency_key_reused",
        );
        expect(await countRows(t.ctx.db)).toEqual(before);
      });

      it("replays a course completion with the same key, and refuses another body under it", async () => {
        const key = randomUUID();
        const url = `/v1/organizations/${orgA}/certifications/course-completions`;
        const type = await makeType(t.ctx, orgA);
        const body = { course_registration_id: w.registration.id, certification_type_id: type.id };
        const headers = { "idempotency-key": key };
        const first = await call({ method: "POST", url, token: w.tokens.service, body, headers });
        expect(first.status).toBe(201);
        const replay = await call({ method: "POST", url, token: w.tokens.service, body, headers });
        expect(replay.status).toBe(201);
        expect(certOf(replay).id).toBe(certOf(first).id);
        expectProblem(
          await call({
            method: "POST",
            url,
            token: w.tokens.service,
            body: { ...body, certification_type_id: w.a.type.id },
            headers,
          }),
          422,
          "idempotency_key_reused",
        );
      });

      it("creates one record when ten identical requests with one key arrive at once", async () => {
        const type = await makeType(t.ctx, orgA);
        const before = await countRows(t.ctx.db);
        const answers = await Promise.all(
          Array.from({ length: 10 }, () =>
            call({
              method: "POST",
              url: `/v1/organizations/${orgA}/certifications`,
              token: w.tokens.coordinatorA,
              body: { user_id: w.otherMentor.userId, certification_type_id: type.id },
              headers: { "idempotency-key": "ten-at-once" },
            }),
          ),
        );
        expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(201));
        expect(new Set(answers.map((answer) => certOf(answer).id)).size).toBe(1);
        const after = await countRows(t.ctx.db);
        expect(after.certifications).toBe(before.certifications + 1);
        expect(after.idempotency_keys).toBe(before.idempotency_keys + 1);
      });
    });

    describe("reading", () => {
      it("gets a certification by id and by number, each with an ETag", async () => {
        const byId = await call({
          method: "GET",
          url: `/v1/certifications/${w.certification.id}`,
          token: w.tokens.mentorA,
        });
        expect(byId.status).toBe(200);
        expect(byId.headers.etag).toBeTruthy();
        const byNumber = await call({
          method: "GET",
          url: `/v1/certifications/by-number/${w.certification.certificate_number}`,
          token: w.tokens.coordinatorA,
        });
        expect(byNumber.status).toBe(200);
        expect(certOf(byNumber).id).toBe(w.certification.id);
        expect(byNumber.headers.etag).toBe(byId.headers.etag);
      });

      it("answers a malformed number with certificate_number_format and an unknown one with not_found", async () => {
        const url = (number: string) => `/v1/certifications/by-number/${number}`;
        expectProblem(
          await call({ method: "GET", url: url("not-a-number"), token: w.tokens.coordinatorA }),
          422,
          "certificate_number_format",
        );
        expectProblem(
          await call({ method: "GET", url: url("ZZZ-2025-99999"), token: w.tokens.coordinatorA }),
          404,
          "not_found",
        );
      });

      it("lists an organization's certifications with filters and an opaque cursor", async () => {
        const url = `/v1/organizations/${orgA}/certifications`;
        const page1 = await call({
          method: "GET",
          url: `${url}?limit=1&status=active&status=expiring_soon`,
          token: w.tokens.coordinatorA,
        });
        expect(page1.status).toBe(200);
        const first = page1.body as { items: CertificationBody[]; next_cursor: string | null };
        expect(first.items).toHaveLength(1);
        expect(first.next_cursor).toEqual(expect.any(String));
        const page2 = await call({
          method: "GET",
          url: `${url}?limit=1&cursor=${first.next_cursor}`,
          token: w.tokens.coordinatorA,
        });
        const second = page2.body as { items: CertificationBody[] };
        expect(second.items[0]?.id).not.toBe(first.items[0]?.id);
        const filtered = await call({
          method: "GET",
          url: `${url}?user_id=${w.a.mentor.userId}&certification_type_id=${w.a.type.id}&source=manual_grant&expires_after=2026-01-01T00:00:00Z&expires_before=2100-01-01T00:00:00Z`,
          token: w.tokens.coordinatorA,
        });
        expect((filtered.body as { items: CertificationBody[] }).items.map((c) => c.id)).toEqual([
          w.certification.id,
        ]);
        expectProblem(
          await call({ method: "GET", url: `${url}?cursor=bogus`, token: w.tokens.coordinatorA }),
          400,
          "invalid_request",
        );
        expectProblem(
          await call({ method: "GET", url: `${url}?limit=0`, token: w.tokens.coordinatorA }),
          400,
          "invalid_request",
        );
        expectProblem(
          await call({ method: "GET", url: `${url}?colour=red`, token: w.tokens.coordinatorA }),
          400,
          "invalid_request",
        );
        expectProblem(await call({ method: "GET", url, token: w.tokens.mentorA }), 403, "forbidden");
        expectProblem(await call({ method: "GET", url, token: w.tokens.coordinatorB }), 404, "not_found");
      });

      it("lists what expires within the days asked, and refuses an absurd number", async () => {
        const { cert } = await freshCertification({ expiresInDays: 10 });
        const url = `/v1/organizations/${orgA}/certifications/expiring`;
        const within = await call({
          method: "GET",
          url: `${url}?within_days=20`,
          token: w.tokens.coordinatorA,
        });
        const items = (within.body as { items: CertificationBody[] }).items;
        expect(items.map((c) => c.id)).toContain(cert.id);
        expect(items.find((c) => c.id === cert.id)?.status).toBe("expiring_soon");
        expectProblem(
          await call({ method: "GET", url: `${url}?within_days=1e400`, token: w.tokens.coordinatorA }),
          400,
          "invalid_request",
        );
        expectProblem(
          await call({ method: "GET", url: `${url}?within_days=-1`, token: w.tokens.coordinatorA }),
          400,
          "invalid_request",
        );
      });

      it("shows a user's certifications to the user and to staff", async () => {
        for (const token of [w.tokens.mentorA, w.tokens.coordinatorA, w.tokens.globalAdmin]) {
          const answer = await call({
            method: "GET",
            url: `/v1/users/${w.a.mentor.userId}/certifications`,
            token,
          });
          expect((answer.body as { items: CertificationBody[] }).items.map((c) => c.id)).toContain(
            w.certification.id,
          );
        }
      });

      it("answers eligibility for the user, staff and services; not_found for a stranger", async () => {
        const url = `/v1/users/${w.a.mentor.userId}/eligibility?certification_type_id=${w.a.type.id}`;
        for (const token of [w.tokens.mentorA, w.tokens.coordinatorA, w.tokens.service]) {
          const answer = await call({ method: "GET", url, token });
          expect(answer.body).toEqual({
            eligible: true,
            certification_id: w.certification.id,
            status: "active",
            expires_at: w.certification.expires_at,
          });
        }
        expectProblem(await call({ method: "GET", url, token: w.tokens.coordinatorB }), 404, "not_found");
        expectProblem(
          await call({
            method: "GET",
            url: `/v1/users/${w.a.mentor.userId}/eligibility`,
            token: w.tokens.service,
          }),
          400,
          "invalid_request",
        );
      });

      it("shows badges to the user once evaluated, and hides the user from another organization", async () => {
        await evaluateBadges(t.ctx.db, w.a.mentor.userId, t.clock.now());
        const answer = await call({
          method: "GET",
          url: `/v1/users/${w.a.mentor.userId}/badges`,
          token: w.tokens.mentorA,
        });
        expect(answer.status).toBe(200);
        expect((answer.body as { items: { badge: string }[] }).items.map((b) => b.badge)).toContain(
          "first_certification",
        );
        expectProblem(
          await call({
            method: "GET",
            url: `/v1/users/${w.a.mentor.userId}/badges`,
            token: w.tokens.mentorB,
          }),
          404,
          "not_found",
        );
      });

      it("verifies a number and its code publicly with only the minimal facts", async () => {
        const code = await verificationCodeOf(t.ctx, w.certification.id);
        const answer = await call({
          method: "GET",
          url: `/v1/verify/${w.certification.certificate_number}?code=${code.toLowerCase()}&name=mari%20%20MENTOR`,
        });
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({
          certificate_number: w.certification.certificate_number,
          valid: true,
          status: "active",
          certification_type: { id: w.a.type.id, name: w.a.type.name },
          organization: { id: orgA, name: w.a.organization.name, prefix: w.a.organization.prefix },
          holder_initials: "MM",
          issued_at: w.certification.issued_at,
          expires_at: w.certification.expires_at,
          checked_at: t.clock.now().toISOString(),
          name_matches: true,
        });
        expectProblem(
          await call({ method: "GET", url: `/v1/verify/ZZZ-2025-99999?code=${code}` }),
          404,
          "not_found",
        );
        expectProblem(
          await call({ method: "GET", url: `/v1/verify/${w.certification.certificate_number}` }),
          404,
          "not_found",
        );
        expectProblem(
          await call({ method: "GET", url: "/v1/verify/garbage" }),
          422,
          "certificate_number_format",
        );
      });
    });

    describe("changing", () => {
      it("changes notes with a matching If-Match, and refuses a stale one: precondition_failed", async () => {
        const { cert, etag } = await freshCertification();
        const url = `/v1/certifications/${cert.id}`;
        const changed = await call({
          method: "PATCH",
          url,
          token: w.tokens.coordinatorA,
          body: { notes: "checked" },
          headers: { "if-match": etag },
        });
        expect(changed.status).toBe(200);
        expect(changed.headers.etag).toBeTruthy();
        expect(changed.headers.etag).not.toBe(etag);
        expectProblem(
          await call({
            method: "PATCH",
            url,
            token: w.tokens.coordinatorA,
            body: { notes: "again" },
            headers: { "if-match": etag },
          }),
          412,
          "precondition_failed",
        );
        for (const [path, body] of [
          ["renew", {}],
          ["revoke", { reason: "x" }],
          ["reinstate", { reason: "x" }],
        ] as const) {
          expectProblem(
            await call({
              method: "POST",
              url: `${url}/${path}`,
              token: w.tokens.globalAdmin,
              body,
              headers: { "if-match": etag },
            }),
            412,
            "precondition_failed",
          );
        }
      });

      it("moves the status with a new expires_at, and refuses a status other than revoked: valid_status_transition", async () => {
        const { cert } = await freshCertification();
        const url = `/v1/certifications/${cert.id}`;
        const soon = new Date(t.clock.now().getTime() + 5 * DAY).toISOString();
        const moved = await call({
          method: "PATCH",
          url,
          token: w.tokens.coordinatorA,
          body: { expires_at: soon },
        });
        expect(certOf(moved)).toMatchObject({ status: "expiring_soon", expires_at: soon });
        expectProblem(
          await call({ method: "PATCH", url, token: w.tokens.coordinatorA, body: { status: "active" } }),
          409,
          "valid_status_transition",
        );
        expect(
          (
            await call({
              method: "PATCH",
              url,
              token: w.tokens.coordinatorA,
              body: { status: "expiring_soon" },
            })
          ).status,
        ).toBe(200);
        expectProblem(
          await call({ method: "PATCH", url, token: w.tokens.coordinatorA, body: {} }),
          400,
          "invalid_request",
        );
        expectProblem(
          await call({ method: "PATCH", url, token: w.tokens.mentorA, body: { notes: "mine" } }),
          404,
          "not_found",
        );
      });

      it("renews (with and without a body), revokes with a reason, refuses reactivation, and lets a global admin reinstate", async () => {
        const { cert } = await freshCertification({ expiresInDays: 3 });
        const url = `/v1/certifications/${cert.id}`;
        const renewed = await call({ method: "POST", url: `${url}/renew`, token: w.tokens.coordinatorA });
        expect(renewed.status).toBe(200);
        expect(certOf(renewed).status).toBe("active");
        const lifetime = await call({
          method: "POST",
          url: `${url}/renew`,
          token: w.tokens.coordinatorA,
          body: { expires_at: null },
        });
        expect(certOf(lifetime).expires_at).toBeNull();

        expectProblem(
          await call({
            method: "POST",
            url: `${url}/revoke`,
            token: w.tokens.coordinatorA,
            body: { reason: "   " },
          }),
          422,
          "revocation_requires_reason",
        );
        expectProblem(
          await call({ method: "PATCH", url, token: w.tokens.coordinatorA, body: { status: "revoked" } }),
          422,
          "revocation_requires_reason",
        );
        const revoked = await call({
          method: "POST",
          url: `${url}/revoke`,
          token: w.tokens.coordinatorA,
          body: { reason: "Misconduct" },
        });
        expect(revoked.status).toBe(200);
        expect(revoked.headers.etag).toBeTruthy();
        expect(certOf(revoked)).toMatchObject({ status: "revoked", revoked_at: expect.any(String) });

        expectProblem(
          await call({ method: "PATCH", url, token: w.tokens.coordinatorA, body: { status: "active" } }),
          409,
          "revoked_cert_cannot_be_reactivated",
        );
        expectProblem(
          await call({ method: "POST", url: `${url}/renew`, token: w.tokens.coordinatorA }),
          409,
          "revoked_cert_cannot_be_reactivated",
        );
        expectProblem(
          await call({
            method: "POST",
            url: `${url}/reinstate`,
            token: w.tokens.adminA,
            body: { reason: "Appeal" },
          }),
          403,
          "forbidden",
        );

        const reinstated = await call({
          method: "POST",
          url: `${url}/reinstate`,
          token: w.tokens.globalAdmin,
          body: { reason: "Appeal upheld" },
        });
        expect(reinstated.status).toBe(200);
        expect(certOf(reinstated).status).toBe("active");

        const events = await call({ method: "GET", url: `${url}/events`, token: w.tokens.coordinatorA });
        const actions = (events.body as { items: { action: string; reason: string | null }[] }).items.map(
          (e) => e.action,
        );
        expect(actions).toEqual(["issued", "renewed", "renewed", "revoked", "reinstated"]);
        expectProblem(
          await call({ method: "GET", url: `${url}/events`, token: w.tokens.service }),
          403,
          "forbidden",
        );
      });
    });

    describe("background work", () => {
      it("runs the expiry sweep for a global admin and returns its counts; forbidden for an org admin", async () => {
        await freshCertification({ expiresInDays: 7 });
        const answer = await call({
          method: "POST",
          url: "/v1/admin/jobs/expiry-sweep",
          token: w.tokens.globalAdmin,
        });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({
          expired: expect.any(Number),
          expiring_soon: expect.any(Number),
          notifications_enqueued: expect.any(Number),
        });
        expect(
          (answer.body as { notifications_enqueued: number }).notifications_enqueued,
        ).toBeGreaterThanOrEqual(1);
        expectProblem(
          await call({ method: "POST", url: "/v1/admin/jobs/expiry-sweep", token: w.tokens.adminA }),
          403,
          "forbidden",
        );
      });

      it("lists dead jobs and retries one for a global admin; a job that is not dead is not_found", async () => {
        const id = randomUUID();
        await sql`insert into jobs (id, queue, payload, state, attempts, max_attempts, last_error)
                  values (${id}, 'notification', '{}'::jsonb, 'dead', 3, 3, 'webhook answered 500')`.execute(
          t.ctx.db,
        );
        const dead = await call({
          method: "GET",
          url: "/v1/admin/jobs/dead?queue=notification&limit=10",
          token: w.tokens.globalAdmin,
        });
        expect(dead.status).toBe(200);
        expect((dead.body as { items: { id: string; last_error: string }[] }).items).toContainEqual(
          expect.objectContaining({ id, last_error: "webhook answered 500" }),
        );
        expectProblem(
          await call({ method: "GET", url: "/v1/admin/jobs/dead", token: w.tokens.adminA }),
          403,
          "forbidden",
        );
        const retried = await call({
          method: "POST",
          url: `/v1/admin/jobs/${id}/retry`,
          token: w.tokens.globalAdmin,
        });
        expect(retried.status).toBe(200);
        expect(retried.body).toEqual({ id, state: "pending" });
        expectProblem(
          await call({ method: "POST", url: `/v1/admin/jobs/${id}/retry`, token: w.tokens.globalAdmin }),
          404,
          "not_found",
        );
        expectProblem(
          await call({ method: "POST", url: "/v1/admin/jobs/nope/retry", token: w.tokens.globalAdmin }),
          400,
          "invalid_request",
        );
      });
    });

    describe("what clients send wrong", () => {
      const grantUrl = () => `/v1/organizations/${orgA}/certifications`;

      it("answers a missing or bad token with unauthenticated", async () => {
        expectProblem(
          await call({ method: "GET", url: `/v1/certifications/${w.certification.id}` }),
          401,
          "unauthenticated",
        );
        expectProblem(
          await call({ method: "GET", url: `/v1/certifications/${w.certification.id}`, token: "not.a.jwt" }),
          401,
          "unauthenticated",
        );
        expectProblem(
          await call({ method: "GET", url: "/v1/me", headers: { authorization: "Basic dXNlcjpwYXNz" } }),
          401,
          "unauthenticated",
        );
      });

      it("answers a path parameter that is not a UUID with invalid_request naming it", async () => {
        const problem = expectProblem(
          await call({ method: "GET", url: "/v1/certifications/123", token: w.tokens.coordinatorA }),
          400,
          "invalid_request",
        );
        expect(problem.errors?.[0]?.field).toBe("path/id");
        expectProblem(
          await call({
            method: "GET",
            url: `/v1/certifications/${"a".repeat(300)}`,
            token: w.tokens.coordinatorA,
          }),
          400,
          "invalid_request",
        );
        expectProblem(
          await call({
            method: "GET",
            url: "/v1/certifications/by-number/%ZZ",
            token: w.tokens.coordinatorA,
          }),
          400,
          "invalid_request",
        );
      });

      it.each([
        ["malformed JSON", "application/json", '{"user_id": ', 400, "invalid_request"],
        ["an empty body with a JSON content type", "application/json", "", 400, "invalid_request"],
        ["a body that is not an object", "application/json", "[1,2]", 400, "invalid_request"],
        ["JSON null", "application/json", "null", 400, "invalid_request"],
        ["the wrong content type", "text/plain", "hello", 415, "unsupported_media_type"],
        ["a form", "application/x-www-form-urlencoded", "a=b", 415, "unsupported_media_type"],
        ["a huge number", "application/json", '{"user_id": 1e400}', 400, "invalid_request"],
        ["a prototype key", "application/json", '{"__proto__": {"admin": true}}', 400, "invalid_request"],
      ] as const)(
        "answers %s with a problem and writes nothing",
        async (_what, contentType, payload, status, code) => {
          const before = await countRows(t.ctx.db);
          expectProblem(
            await call({
              method: "POST",
              url: grantUrl(),
              token: w.tokens.coordinatorA,
              payload,
              headers: { "content-type": contentType },
            }),
            status,
            code,
          );
          expect(await countRows(t.ctx.db)).toEqual(before);
        },
      );

      it("answers text with U+0000 with invalid_request, and stores other unicode as sent", async () => {
        const { cert } = await freshCertification();
        const url = `/v1/certifications/${cert.id}`;
        expectProblem(
          await call({ method: "PATCH", url, token: w.tokens.coordinatorA, body: { notes: "a\u0000b" } }),
          400,
          "invalid_request",
        );
        const notes = "Ærlig 🙂 ñ \u202e عربى";
        const changed = await call({ method: "PATCH", url, token: w.tokens.coordinatorA, body: { notes } });
        expect((changed.body as { notes: string }).notes).toBe(notes);
      });

      it("answers a body over 1 MB with a 413 problem", async () => {
        const payload = JSON.stringify({
          user_id: w.otherMentor.userId,
          certification_type_id: w.a.type.id,
          notes: "x".repeat(1_100_000),
        });
        const answer = await call({
          method: "POST",
          url: grantUrl(),
          token: w.tokens.coordinatorA,
          payload,
          headers: { "content-type": "application/json" },
        });
        expectProblem(answer, 413, "payload_too_large");
      });
    });
  });
});
