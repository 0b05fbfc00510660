import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../../test/databases.js";
import { grant, makeMember, makeScene, makeType, verificationCodeOf } from "../../../test/factories.js";
import { createHttpTestApp, type HttpTestApp } from "../../../test/http.js";
import { exportCertificationsCsv } from "../../services/export-certifications.js";
import { searchFilters } from "../../services/search-certifications.js";

const DAY = 86_400_000;

/** Holder and actor names that outlive a membership, and the export of exactly the list's rows. */
describe.each(DATABASE_KINDS)("staff names and the filtered export on %s", (kind) => {
  let t: HttpTestApp;
  let base: string;

  beforeAll(async () => {
    t = await createHttpTestApp(kind);
    base = await t.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => t?.close());

  const get = async (url: string, subject: string) => {
    const answer = await fetch(`${base}${url}`, { headers: await t.bearer(subject) });
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  };
  const send = async (method: string, url: string, subject: string, body?: unknown) => {
    const answer = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(await t.bearer(subject)),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return answer.status;
  };
  type Item = { id: string; user_id: string; holder_display_name?: string | null };
  const items = (body: Record<string, unknown>) => body.items as Item[];

  it("after the holder's and the revoker's memberships are removed, the list, the detail and the audit trail still name them", async () => {
    const scene = await makeScene(t.ctx);
    const org = scene.organization.id;
    const holder = await makeMember(t.ctx, org, "peer_mentor", { displayName: "Siri Slettet" });
    const revoker = await makeMember(t.ctx, org, "coordinator", { displayName: "Rolf Revisor" });
    const kept = await grant(t.ctx, scene, { userId: holder.userId });
    await grant(t.ctx, scene); // Mari Mentor's, who stays a member
    const revoked = await grant(t.ctx, scene, {
      userId: holder.userId,
      certificationTypeId: (await makeType(t.ctx, org)).id,
    });
    expect(
      await send("POST", `/v1/certifications/${revoked.id}/revoke`, revoker.userId, { reason: "Feil" }),
    ).toBe(200);
    for (const member of [holder, revoker]) {
      expect(
        await send("DELETE", `/v1/organizations/${org}/members/${member.userId}`, scene.admin.userId),
      ).toBe(204);
    }
    const members = await get(`/v1/organizations/${org}/members`, scene.coordinator.userId);
    expect(items(members.body).map((m) => m.user_id)).not.toContain(holder.userId);

    const lists = [
      `/v1/organizations/${org}/certifications`,
      `/v1/organizations/${org}/certifications?status=active&status=revoked`,
      `/v1/organizations/${org}/certifications?q=siri`,
      `/v1/organizations/${org}/certifications?sort=expires_at`,
      `/v1/organizations/${org}/certifications?q=${kept.certificate_number}&sort=newest`,
    ];
    for (const url of lists) {
      const page = await get(url, scene.coordinator.userId);
      expect(page.status, url).toBe(200);
      const mine = items(page.body).filter((item) => item.user_id === holder.userId);
      expect(mine.length, url).toBeGreaterThan(0);
      expect(
        mine.map((item) => item.holder_display_name),
        url,
      ).toEqual(mine.map(() => "Siri Slettet"));
      for (const item of items(page.body).filter((i) => i.user_id === scene.mentor.userId)) {
        expect(item.holder_display_name).toBe("Mari Mentor");
      }
    }

    const detail = await get(`/v1/certifications/${revoked.id}`, scene.coordinator.userId);
    expect(detail.body).toMatchObject({ id: revoked.id, holder_display_name: "Siri Slettet" });
    const byNumber = await get(
      `/v1/certifications/by-number/${revoked.certificate_number}`,
      scene.admin.userId,
    );
    expect(byNumber.body.holder_display_name).toBe("Siri Slettet");

    const events = await get(`/v1/certifications/${revoked.id}/events`, scene.coordinator.userId);
    const trail = items(events.body) as unknown as { action: string; actor_display_name: string | null }[];
    expect(trail.find((e) => e.action === "revoked")?.actor_display_name).toBe("Rolf Revisor");
    expect(trail.find((e) => e.action === "issued")?.actor_display_name).toEqual(expect.any(String));
  });

  it("the name is for staff: not in the holder's own answer nor in the public verification", async () => {
    const scene = await makeScene(t.ctx);
    const cert = await grant(t.ctx, scene);
    const own = await get(`/v1/certifications/${cert.id}`, scene.mentor.userId);
    expect(own.status).toBe(200);
    expect(own.body).not.toHaveProperty("holder_display_name");
    const ownList = await get(`/v1/users/${scene.mentor.userId}/certifications`, scene.mentor.userId);
    expect(items(ownList.body)[0]).not.toHaveProperty("holder_display_name");
    const code = await verificationCodeOf(t.ctx, cert.id);
    const verified = await fetch(`${base}/v1/verify/${cert.certificate_number}?code=${code}`);
    const facts = (await verified.json()) as Record<string, unknown>;
    expect(facts).toMatchObject({ valid: true, holder_initials: "MM" });
    expect(JSON.stringify(facts)).not.toContain("Mari");
    // The staff answer's ETag is the certification's own: the same as the holder's.
    const [staff, holder] = await Promise.all(
      [scene.coordinator.userId, scene.mentor.userId].map(async (subject) =>
        (
          await fetch(`${base}/v1/certifications/${cert.id}`, { headers: await t.bearer(subject) })
        ).headers.get("etag"),
      ),
    );
    expect(staff).toBe(holder);
  });

  /** Ola and the others: four match "ola", three of them active or expired, one in another organization. */
  async function olaScene() {
    const scene = await makeScene(t.ctx, { validityMonths: 12 });
    const org = scene.organization.id;
    const now = t.ctx.clock().getTime();
    const lifetime = await makeType(t.ctx, org, { validityMonths: null });
    const person = (displayName: string) => makeMember(t.ctx, org, "peer_mentor", { displayName });
    const [nordmann, hansen, berg, kari, fjernet] = await Promise.all(
      ["Ola Nordmann", "Ola Hansen", "Ola Berg", "Kari Hansen", "Ola Fjernet"].map(person),
    );
    if (!nordmann || !hansen || !berg || !kari || !fjernet) throw new Error("members");
    const active = await grant(t.ctx, scene, { userId: nordmann.userId, notes: "=HYPERLINK(1)" });
    const lifelong = await grant(t.ctx, scene, { userId: nordmann.userId, certificationTypeId: lifetime.id });
    const expired = await grant(t.ctx, scene, {
      userId: hansen.userId,
      issuedAt: new Date(now - 800 * DAY),
      expiresAt: new Date(now - 5 * DAY),
    });
    const revoked = await grant(t.ctx, scene, { userId: berg.userId });
    expect(
      await send("POST", `/v1/certifications/${revoked.id}/revoke`, scene.coordinator.userId, {
        reason: "x",
      }),
    ).toBe(200);
    await grant(t.ctx, scene, { userId: kari.userId });
    const removed = await grant(t.ctx, scene, {
      userId: fjernet.userId,
      issuedAt: new Date(now - 100 * DAY),
    });
    expect(
      await send("DELETE", `/v1/organizations/${org}/members/${fjernet.userId}`, scene.admin.userId),
    ).toBe(204);
    const other = await makeScene(t.ctx);
    const stranger = await makeMember(t.ctx, other.organization.id, "peer_mentor", {
      displayName: "Ola Annen",
    });
    await grant(t.ctx, other, { userId: stranger.userId });
    return { scene, org, active, lifelong, expired, revoked, removed };
  }

  const csvRows = (text: string) => parse(text, { columns: true }) as Record<string, string>[];

  it("the export over a socket holds exactly the rows the list shows for q and statuses, in the list's order", async () => {
    const { scene, org, active, lifelong, expired, removed } = await olaScene();
    const filters = "q=ola&status=active&status=expired";
    for (const sort of ["newest", "expires_at"]) {
      const list = await get(
        `/v1/organizations/${org}/certifications?${filters}&sort=${sort}&limit=200`,
        scene.coordinator.userId,
      );
      const answer = await fetch(
        `${base}/v1/organizations/${org}/certifications/export?${filters}&sort=${sort}`,
        {
          headers: await t.bearer(scene.coordinator.userId),
        },
      );
      expect(answer.status).toBe(200);
      expect(answer.headers.get("content-type")).toContain("text/csv");
      const rows = csvRows(await answer.text());
      expect(rows.map((row) => row.id)).toEqual(items(list.body).map((item) => item.id));
      expect(new Set(rows.map((row) => row.id))).toEqual(
        new Set([active.id, lifelong.id, expired.id, removed.id]),
      );
      expect(rows.find((row) => row.id === removed.id)?.display_name).toBe("Ola Fjernet");
      expect(rows.find((row) => row.id === active.id)?.notes).toBe("'=HYPERLINK(1)");
    }
    // Soonest expiry first, the lifetime one last.
    const bySoonest = await fetch(
      `${base}/v1/organizations/${org}/certifications/export?${filters}&sort=expires_at`,
      { headers: await t.bearer(scene.coordinator.userId) },
    );
    const ids = csvRows(await bySoonest.text()).map((row) => row.id);
    expect(ids[0]).toBe(expired.id);
    expect(ids.at(-1)).toBe(lifelong.id);
    // Without sort: oldest first, as before, with the same rows.
    const oldest = await fetch(`${base}/v1/organizations/${org}/certifications/export?${filters}`, {
      headers: await t.bearer(scene.coordinator.userId),
    });
    const oldestIds = csvRows(await oldest.text()).map((row) => row.id);
    expect(oldestIds).toEqual([...oldestIds].sort());
    expect(new Set(oldestIds)).toEqual(new Set(ids));
    // A whole certificate number finds that one.
    const one = await fetch(
      `${base}/v1/organizations/${org}/certifications/export?q=${expired.certificate_number.toLowerCase()}`,
      { headers: await t.bearer(scene.coordinator.userId) },
    );
    expect(csvRows(await one.text()).map((row) => row.id)).toEqual([expired.id]);
  });

  it("the export pages through the list's order without losing or doubling a row", async () => {
    const { scene, org } = await olaScene();
    for (const order of ["newest", "expires_at", "oldest"] as const) {
      const filters = searchFilters(org, { q: "OLA", status: ["active", "expired", "revoked"] });
      const whole = await exportCertificationsCsv(t.ctx, scene.coordinator.principal, filters, order, 1000);
      const paged = await exportCertificationsCsv(t.ctx, scene.coordinator.principal, filters, order, 2);
      const text = async (chunks: AsyncIterable<string>) => {
        let all = "";
        for await (const chunk of chunks) all += chunk;
        return all;
      };
      const rows = csvRows(await text(paged));
      expect(rows, order).toHaveLength(5);
      expect(rows.map((row) => row.id)).toEqual(csvRows(await text(whole)).map((row) => row.id));
    }
  });

  it("refuses a sort or a search it does not know with invalid_request, and a peer mentor with forbidden", async () => {
    const scene = await makeScene(t.ctx);
    const url = `/v1/organizations/${scene.organization.id}/certifications/export`;
    for (const query of ["sort=oldest_first", "q=", "user_id=nobody"]) {
      const answer = await fetch(`${base}${url}?${query}`, {
        headers: { ...(await t.bearer(scene.coordinator.userId)), "accept-language": "en" },
      });
      expect(answer.status, query).toBe(400);
      expect(answer.headers.get("content-type")).toContain("application/problem+json");
      const body = (await answer.json()) as { code: string; detail: string };
      expect(body.code).toBe("invalid_request");
      expect(body.detail.length).toBeGreaterThan(0);
    }
    const mentor = await fetch(`${base}${url}?q=ola`, { headers: await t.bearer(scene.mentor.userId) });
    expect(mentor.status).toBe(403);
  });
});
