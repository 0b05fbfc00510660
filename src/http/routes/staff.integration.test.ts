import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../../test/databases.js";
import { grant, makeMember, makeScene } from "../../../test/factories.js";
import { createHttpTestApp, type HttpTestApp } from "../../../test/http.js";

const DAY = 86_400_000;

/** The staff workspace's endpoints: members, renew, lists, bulk revoke, types, audit trail. */
describe.each(DATABASE_KINDS)("staff endpoints on %s", (kind) => {
  let t: HttpTestApp;
  let scene: Awaited<ReturnType<typeof makeScene>>;
  let other: Awaited<ReturnType<typeof makeScene>>;

  beforeAll(async () => {
    t = await createHttpTestApp(kind);
    scene = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 12 });
    other = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 12 });
  });
  afterAll(async () => t?.close());

  const call = async (method: string, url: string, subject: string, body?: unknown) => {
    const answer = await t.app.inject({
      method: method as "GET",
      url,
      headers: {
        ...(await t.bearer(subject)),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    return { status: answer.statusCode, body: answer.body ? answer.json() : undefined };
  };
  const members = (orgId: string) => `/v1/organizations/${orgId}/members`;

  describe("members", () => {
    it("a coordinator adds a peer mentor and renames them, but sets no other role and changes no staff member's", async () => {
      const org = scene.organization.id;
      const id = randomUUID();
      const added = await call("PUT", `${members(org)}/${id}`, scene.coordinator.userId, {
        role: "peer_mentor",
        display_name: "Nora Ny",
      });
      expect(added).toMatchObject({
        status: 201,
        body: { user_id: id, role: "peer_mentor", display_name: "Nora Ny" },
      });
      const renamed = await call("PUT", `${members(org)}/${id}`, scene.coordinator.userId, {
        role: "peer_mentor",
        display_name: "Nora Nyberg",
      });
      expect(renamed).toMatchObject({ status: 200, body: { display_name: "Nora Nyberg" } });
      const promote = await call("PUT", `${members(org)}/${id}`, scene.coordinator.userId, {
        role: "coordinator",
        display_name: "Nora Nyberg",
      });
      expect(promote).toMatchObject({ status: 403, body: { code: "forbidden" } });
      const demote = await call("PUT", `${members(org)}/${scene.admin.userId}`, scene.coordinator.userId, {
        role: "peer_mentor",
        display_name: "Admin",
      });
      expect(demote).toMatchObject({ status: 403, body: { code: "forbidden" } });
      const mentor = await call("PUT", `${members(org)}/${randomUUID()}`, scene.mentor.userId, {
        role: "peer_mentor",
        display_name: "Per",
      });
      expect(mentor.status).toBe(403);
    });

    it("searches by part of the name, by a certificate number and by role, a page at a time, telling namesakes apart", async () => {
      const org = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 12 });
      const first = await makeMember(t.ctx, org.organization.id, "peer_mentor", {
        displayName: "Ola Hansen",
      });
      const second = await makeMember(t.ctx, org.organization.id, "peer_mentor", {
        displayName: "Ola Hansen",
      });
      await makeMember(t.ctx, org.organization.id, "peer_mentor", { displayName: "Kari Olsen" });
      const cert = await grant(t.ctx, org, { userId: second.userId });
      const byName = await call("GET", `${members(org.organization.id)}?q=hans`, org.coordinator.userId);
      expect(byName.status).toBe(200);
      expect(byName.body.items.map((m: { user_id: string }) => m.user_id).sort()).toEqual(
        [first.userId, second.userId].sort(),
      );
      const namesake = byName.body.items.find((m: { user_id: string }) => m.user_id === second.userId);
      expect(namesake).toMatchObject({
        certificate_numbers: [cert.certificate_number],
        member_since: expect.any(String),
      });
      const byNumber = await call(
        "GET",
        `${members(org.organization.id)}?q=${cert.certificate_number.toLowerCase()}`,
        org.coordinator.userId,
      );
      expect(byNumber.body.items.map((m: { user_id: string }) => m.user_id)).toEqual([second.userId]);
      const staff = await call(
        "GET",
        `${members(org.organization.id)}?role=org_admin`,
        org.coordinator.userId,
      );
      expect(staff.body.items.map((m: { user_id: string }) => m.user_id)).toEqual([org.admin.userId]);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { user_id: string }[]; next_cursor: string | null } } = await call(
          "GET",
          `${members(org.organization.id)}?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
          org.admin.userId,
        );
        seen.push(...page.body.items.map((m) => m.user_id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(seen).toHaveLength(6);
      expect(new Set(seen).size).toBe(6);
      expect((await call("GET", members(org.organization.id), org.mentor.userId)).status).toBe(403);
      expect((await call("GET", members(org.organization.id), other.admin.userId)).status).toBe(404);
    });

    it("an org admin removes a membership; the certifications stay; two removals at once remove it once", async () => {
      const org = scene.organization.id;
      const leaving = await makeMember(t.ctx, org, "peer_mentor", { displayName: "Lars Leaving" });
      const cert = await grant(t.ctx, scene, { userId: leaving.userId });
      expect(
        (await call("DELETE", `${members(org)}/${leaving.userId}`, scene.coordinator.userId)).status,
      ).toBe(403);
      expect((await call("DELETE", `${members(org)}/${leaving.userId}`, other.admin.userId)).status).toBe(
        404,
      );
      const [a, b] = await Promise.all([
        call("DELETE", `${members(org)}/${leaving.userId}`, scene.admin.userId),
        call("DELETE", `${members(org)}/${leaving.userId}`, scene.admin.userId),
      ]);
      expect([a.status, b.status].sort()).toEqual([204, 404]);
      const kept = await call("GET", `/v1/certifications/${cert.id}`, scene.coordinator.userId);
      expect(kept).toMatchObject({ status: 200, body: { id: cert.id, status: "active" } });
      const listed = await call("GET", `${members(org)}?q=Lars`, scene.admin.userId);
      expect(listed.body.items).toEqual([]);
    });
  });

  describe("renew", () => {
    it("renewing early extends from the current expiry, so no day is lost; a lapsed one counts from now", async () => {
      const holder = await makeMember(t.ctx, scene.organization.id, "peer_mentor");
      const now = t.clock.now().getTime();
      const early = await grant(t.ctx, scene, { userId: holder.userId, expiresAt: new Date(now + 9 * DAY) });
      const renewed = await call(
        "POST",
        `/v1/certifications/${early.id}/renew`,
        scene.coordinator.userId,
        {},
      );
      expect(renewed.status).toBe(200);
      const expected = new Date(now + 9 * DAY);
      expected.setUTCMonth(expected.getUTCMonth() + 12);
      expect(renewed.body.expires_at).toBe(expected.toISOString());

      const lapsedHolder = await makeMember(t.ctx, scene.organization.id, "peer_mentor");
      const lapsed = await grant(t.ctx, scene, {
        userId: lapsedHolder.userId,
        issuedAt: new Date(now - 400 * DAY),
        expiresAt: new Date(now - 35 * DAY),
      });
      const again = await call("POST", `/v1/certifications/${lapsed.id}/renew`, scene.coordinator.userId, {});
      const fromNow = new Date(now);
      fromNow.setUTCMonth(fromNow.getUTCMonth() + 12);
      expect(again.body).toMatchObject({ expires_at: fromNow.toISOString(), status: "active" });
    });
  });

  describe("the list: search, expiry order, counts", () => {
    it("finds by name or number, sorts by expiry a page at a time, filters expires_before, and counts per status", async () => {
      const org = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 12 });
      const now = t.clock.now().getTime();
      const people = await Promise.all(
        ["Siri Sol", "Siri Skog", "Per Plen", "Ola Lang"].map((name) =>
          makeMember(t.ctx, org.organization.id, "peer_mentor", { displayName: name }),
        ),
      );
      const days = [50, 5, 200, 20];
      const certs = [];
      for (const [i, person] of people.entries()) {
        certs.push(
          await grant(t.ctx, org, { userId: person.userId, expiresAt: new Date(now + (days[i] ?? 1) * DAY) }),
        );
      }
      const list = `/v1/organizations/${org.organization.id}/certifications`;
      const siri = await call("GET", `${list}?q=siri`, org.coordinator.userId);
      expect(siri.body.items.map((c: { id: string }) => c.id).sort()).toEqual(
        [certs[0]?.id, certs[1]?.id].sort(),
      );
      const number = await call("GET", `${list}?q=${certs[2]?.certificate_number}`, org.coordinator.userId);
      expect(number.body.items.map((c: { id: string }) => c.id)).toEqual([certs[2]?.id]);

      const order: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { id: string }[]; next_cursor: string | null } } = await call(
          "GET",
          `${list}?sort=expires_at&limit=3${cursor ? `&cursor=${cursor}` : ""}`,
          org.coordinator.userId,
        );
        order.push(...page.body.items.map((c) => c.id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(order).toEqual([certs[1]?.id, certs[3]?.id, certs[0]?.id, certs[2]?.id]);

      const before = new Date(now + 30 * DAY).toISOString();
      const soon = await call(
        "GET",
        `${list}?sort=expires_at&expires_before=${before}`,
        org.coordinator.userId,
      );
      expect(soon.body.items.map((c: { id: string }) => c.id)).toEqual([certs[1]?.id, certs[3]?.id]);

      const counts = await call("GET", `${list}/counts`, org.coordinator.userId);
      expect(counts).toMatchObject({
        status: 200,
        body: { total: 4, by_status: { active: 2, expiring_soon: 2, expired: 0, revoked: 0, suspended: 0 } },
      });
      const counted = await call("GET", `${list}/counts?q=siri`, org.coordinator.userId);
      expect(counted.body).toMatchObject({ total: 2, by_status: { active: 1, expiring_soon: 1 } });
      expect((await call("GET", `${list}/counts`, org.mentor.userId)).status).toBe(403);
      expect((await call("GET", `${list}/counts`, other.coordinator.userId)).status).toBe(404);
    });
  });

  describe("bulk revoke", () => {
    async function certsOf(org: Awaited<ReturnType<typeof makeScene>>, count: number) {
      const made = [];
      for (let i = 0; i < count; i++) {
        const holder = await makeMember(t.ctx, org.organization.id, "peer_mentor");
        made.push(await grant(t.ctx, org, { userId: holder.userId }));
      }
      return made;
    }
    const url = (orgId: string) => `/v1/organizations/${orgId}/certifications/bulk-revoke`;

    it("a dry run says what would happen and changes nothing; the real one revokes all with one reason", async () => {
      const certs = await certsOf(scene, 3);
      const ids = certs.map((c) => c.id);
      const dry = await call("POST", url(scene.organization.id), scene.coordinator.userId, {
        certification_ids: ids,
        reason: "Kurset ble underkjent",
        dry_run: true,
      });
      expect(dry).toMatchObject({ status: 200, body: { dry_run: true, ok: true, revoked: 0 } });
      expect(dry.body.items.map((i: { outcome: string }) => i.outcome)).toEqual([
        "would_revoke",
        "would_revoke",
        "would_revoke",
      ]);
      expect((await call("GET", `/v1/certifications/${ids[0]}`, scene.coordinator.userId)).body.status).toBe(
        "active",
      );
      const done = await call("POST", url(scene.organization.id), scene.coordinator.userId, {
        certification_ids: ids,
        reason: "Kurset ble underkjent",
      });
      expect(done.body).toMatchObject({ ok: true, revoked: 3 });
      for (const id of ids) {
        const read = await call("GET", `/v1/certifications/${id}`, scene.coordinator.userId);
        expect(read.body).toMatchObject({ status: "revoked", revocation_reason: "Kurset ble underkjent" });
      }
    });

    it("is all or nothing: one revoked or foreign id refuses the lot with each id's outcome; no reason is revocation_requires_reason", async () => {
      const [fresh, revoked] = await certsOf(scene, 2);
      const [foreign] = await certsOf(other, 1);
      await call("POST", `/v1/certifications/${revoked?.id}/revoke`, scene.coordinator.userId, {
        reason: "Feil",
      });
      const refused = await call("POST", url(scene.organization.id), scene.coordinator.userId, {
        certification_ids: [fresh?.id, revoked?.id],
        reason: "Rydding",
      });
      expect(refused).toMatchObject({ status: 409, body: { code: "valid_status_transition" } });
      expect(refused.body.items).toEqual([
        { id: fresh?.id, certificate_number: fresh?.certificate_number, outcome: "revoked", ok: true },
        {
          id: revoked?.id,
          certificate_number: revoked?.certificate_number,
          outcome: "valid_status_transition",
          ok: false,
        },
      ]);
      expect(
        (await call("GET", `/v1/certifications/${fresh?.id}`, scene.coordinator.userId)).body.status,
      ).toBe("active");
      const across = await call("POST", url(scene.organization.id), scene.coordinator.userId, {
        certification_ids: [fresh?.id, foreign?.id],
        reason: "Rydding",
      });
      expect(across).toMatchObject({ status: 404, body: { code: "not_found" } });
      const blank = await call("POST", url(scene.organization.id), scene.coordinator.userId, {
        certification_ids: [fresh?.id],
        reason: "  ",
      });
      expect(blank).toMatchObject({ status: 422, body: { code: "revocation_requires_reason" } });
      const mentor = await call("POST", url(scene.organization.id), scene.mentor.userId, {
        certification_ids: [fresh?.id],
        reason: "x",
      });
      expect(mentor.status).toBe(403);
    });

    it("two overlapping bulk revokes at once: one revokes, the other is refused, and each is revoked once", async () => {
      const certs = await certsOf(scene, 6);
      const ids = certs.map((c) => c.id);
      const [a, b] = await Promise.all([
        call("POST", url(scene.organization.id), scene.coordinator.userId, {
          certification_ids: ids.slice(0, 4),
          reason: "A",
        }),
        call("POST", url(scene.organization.id), scene.admin.userId, {
          certification_ids: ids.slice(2).reverse(),
          reason: "B",
        }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const events = await t.ctx.db
        .selectFrom("audit_events")
        .select(["entity_id"])
        .where("action", "=", "revoked")
        .where("entity_id", "in", ids)
        .execute();
      expect(events).toHaveLength(4);
      expect(new Set(events.map((e) => e.entity_id)).size).toBe(4);
    });
  });

  describe("certification types", () => {
    it("an org admin creates a type with a key, edits name, validity and window for new issuances, and retires it", async () => {
      const org = scene.organization.id;
      const created = await call("POST", `/v1/organizations/${org}/certification-types`, scene.admin.userId, {
        name: "Fordypning",
        validity_months: 12,
        key: "fordypning",
      });
      expect(created).toMatchObject({ status: 201, body: { key: "fordypning", retired_at: null } });
      const typeId = created.body.id as string;
      const again = await call("POST", `/v1/organizations/${org}/certification-types`, scene.admin.userId, {
        name: "Fordypning 2",
        validity_months: 12,
        key: "fordypning",
      });
      expect(again).toMatchObject({ status: 409, body: { code: "conflict" } });
      const first = await makeMember(t.ctx, org, "peer_mentor");
      const before = await call("POST", `/v1/organizations/${org}/certifications`, scene.coordinator.userId, {
        user_id: first.userId,
        certification_type_id: typeId,
      });
      const edited = await call("PATCH", `/v1/certification-types/${typeId}`, scene.admin.userId, {
        name: "Fordypningskurs",
        validity_months: 24,
        warning_days: 60,
      });
      expect(edited).toMatchObject({
        status: 200,
        body: { name: "Fordypningskurs", validity_months: 24, warning_days: 60, key: "fordypning" },
      });
      const second = await makeMember(t.ctx, org, "peer_mentor");
      const after = await call("POST", `/v1/organizations/${org}/certifications`, scene.coordinator.userId, {
        user_id: second.userId,
        certification_type_id: typeId,
      });
      const months = (c: { issued_at: string; expires_at: string }) =>
        (new Date(c.expires_at).getUTCFullYear() - new Date(c.issued_at).getUTCFullYear()) * 12 +
        new Date(c.expires_at).getUTCMonth() -
        new Date(c.issued_at).getUTCMonth();
      expect(months(after.body)).toBe(24);
      const kept = await call("GET", `/v1/certifications/${before.body.id}`, scene.coordinator.userId);
      expect(months(kept.body)).toBe(12);

      expect(
        (
          await call("PATCH", `/v1/certification-types/${typeId}`, scene.coordinator.userId, {
            retired: true,
          })
        ).status,
      ).toBe(403);
      expect(
        (await call("PATCH", `/v1/certification-types/${typeId}`, other.admin.userId, { retired: true }))
          .status,
      ).toBe(404);
      const retired = await call("PATCH", `/v1/certification-types/${typeId}`, scene.admin.userId, {
        retired: true,
      });
      expect(retired.body.retired_at).toEqual(expect.any(String));
      const third = await makeMember(t.ctx, org, "peer_mentor");
      const refused = await call(
        "POST",
        `/v1/organizations/${org}/certifications`,
        scene.coordinator.userId,
        {
          user_id: third.userId,
          certification_type_id: typeId,
        },
      );
      expect(refused).toMatchObject({ status: 409, body: { code: "conflict" } });
      expect(
        (await call("GET", `/v1/certifications/${after.body.id}`, scene.coordinator.userId)).body.status,
      ).toBe("active");
      const events = await call(
        "GET",
        `/v1/certifications/${after.body.id}/events`,
        scene.coordinator.userId,
      );
      expect(events.status).toBe(200);
    });
  });

  describe("audit trail", () => {
    it("names the acting user and lists each changed field with its label, before and after", async () => {
      const holder = await makeMember(t.ctx, scene.organization.id, "peer_mentor");
      const cert = await grant(t.ctx, scene, { userId: holder.userId });
      await call("POST", `/v1/certifications/${cert.id}/revoke`, scene.coordinator.userId, {
        reason: "Feil person",
      });
      const answer = await t.app.inject({
        method: "GET",
        url: `/v1/certifications/${cert.id}/events`,
        headers: { ...(await t.bearer(scene.admin.userId)), "accept-language": "en" },
      });
      const events = answer.json().items as {
        action: string;
        actor_display_name: string | null;
        changes: { field: string; label: string; before: unknown; after: unknown }[];
      }[];
      const revoked = events.find((e) => e.action === "revoked");
      const coordinator = await t.ctx.db
        .selectFrom("users")
        .select("display_name")
        .where("id", "=", scene.coordinator.userId)
        .executeTakeFirstOrThrow();
      expect(revoked?.actor_display_name).toBe(coordinator.display_name);
      expect(revoked?.changes).toEqual(
        expect.arrayContaining([
          { field: "status", label: "Status", before: "active", after: "revoked" },
          { field: "revocation_reason", label: "Reason for revocation", before: null, after: "Feil person" },
        ]),
      );
      expect(events.find((e) => e.action === "issued")?.changes).toEqual([]);
    });
  });
});
