import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../test/databases.js";
import { makeScene } from "../../test/factories.js";
import { createHttpTestApp, type HttpTestApp } from "../../test/http.js";

interface Page {
  items: { user_id: string; display_name: string }[];
  next_cursor: string | null;
  total: number;
}

const NAMES = ["Øyvind Ås", "Åse Ærlig", "René Lefèvre", "Ánde Čoarvi", "ÆRLIG ØDEGÅRD", "Zoë Østby"];

/** GET /v1/organizations/{orgId}/members on a big organization: search by part of a name, and paging. */
describe.each(DATABASE_KINDS)("member search on %s", (kind) => {
  let t: HttpTestApp;
  let scene: Awaited<ReturnType<typeof makeScene>>;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    t = await createHttpTestApp(kind);
    scene = await makeScene(t.ctx);
    const people = Array.from({ length: 244 }, (_, i) => `Person ${String(i).padStart(3, "0")} Hansen`);
    const rows = [...people, ...NAMES].map((name) => ({ id: randomUUID(), display_name: name }));
    for (const row of rows) ids.set(row.display_name, row.id);
    await t.ctx.db.insertInto("users").values(rows).execute();
    await t.ctx.db
      .insertInto("memberships")
      .values(
        rows.map((row) => ({
          organization_id: scene.organization.id,
          user_id: row.id,
          role: "peer_mentor" as const,
        })),
      )
      .execute();
  });
  afterAll(async () => t?.close());

  const get = async (query: string): Promise<Page> => {
    const answer = await t.app.inject({
      method: "GET",
      url: `/v1/organizations/${scene.organization.id}/members?${query}`,
      headers: await t.bearer(scene.coordinator.userId),
    });
    expect(answer.statusCode).toBe(200);
    return answer.json<Page>();
  };
  const names = async (q: string) =>
    (await get(`q=${encodeURIComponent(q)}`)).items.map((m) => m.display_name).sort();

  it("finds by part of the name in any case, Norwegian letters and accents included", async () => {
    expect(await names("øy")).toEqual(["Øyvind Ås"].sort());
    expect(await names("ØYV")).toEqual(["Øyvind Ås"].sort());
    expect(await names("ærlig")).toEqual(["ÆRLIG ØDEGÅRD", "Åse Ærlig"].sort());
    expect(await names("ødegå")).toEqual(["ÆRLIG ØDEGÅRD"].sort());
    expect(await names("ÅS")).toEqual(["Åse Ærlig", "Øyvind Ås"].sort());
    expect(await names("RENÉ")).toEqual(["René Lefèvre"].sort());
    expect(await names("lefevre")).toEqual(["René Lefèvre"].sort());
    // Decomposed input (e + combining acute) finds the composed name.
    expect(await names("Rene\u0301")).toEqual(["René Lefèvre"].sort());
    expect(await names("čoar")).toEqual(["Ánde Čoarvi"].sort());
    expect(await names("ZOË ØST")).toEqual(["Zoë Østby"].sort());
    // ø is a letter of its own, not an o with a stroke to drop.
    expect(await names("ostby")).toEqual([].sort());
    expect(await names("100%")).toEqual([].sort());
    const hansen = await get("q=hansen&limit=10");
    expect(hansen.total).toBe(244);
    expect(hansen.items).toHaveLength(10);
  });

  it("pages through every member exactly once while others join meanwhile", async () => {
    const before = new Set([
      ...ids.values(),
      scene.coordinator.userId,
      scene.admin.userId,
      scene.mentor.userId,
    ]);
    const seen: string[] = [];
    let cursor: string | null = null;
    let round = 0;
    do {
      const page: Page = await get(`limit=20${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.items.map((m) => m.user_id));
      cursor = page.next_cursor;
      // Newcomers sorting before, among and after the members already listed.
      const joining = [`Aaa ${round}`, `Person ${String(round * 7).padStart(3, "0")} Hansen`, `Ååå ${round}`];
      const admin = await t.bearer(scene.admin.userId);
      const answers = await Promise.all(
        joining.map((display_name) =>
          t.app.inject({
            method: "PUT",
            url: `/v1/organizations/${scene.organization.id}/members/${randomUUID()}`,
            headers: { ...admin, "content-type": "application/json" },
            payload: JSON.stringify({ role: "peer_mentor", display_name }),
          }),
        ),
      );
      expect(answers.map((answer) => answer.statusCode)).toEqual([201, 201, 201]);
      round++;
    } while (cursor && round < 100);
    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    expect([...before].filter((id) => !seen.includes(id))).toEqual([]);
  });
});
