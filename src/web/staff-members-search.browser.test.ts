import { randomUUID } from "node:crypto";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserForFile, checkPage, newPage, startServer, tokenFor } from "../../test/browser.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { grant, makeMember, makeScene, serviceContext, TestClock } from "../../test/factories.js";
import type { App } from "../http/app.js";

const browser = browserForFile();

/** The members view on an organization bigger than one page (150 members, 50 a page). */
describe.each(DATABASE_KINDS)("the members view searches on the server (%s)", (kind) => {
  let database: TestDatabase;
  let app: App;
  let base: string;
  let ctx: ReturnType<typeof serviceContext>;
  let scene: Awaited<ReturnType<typeof makeScene>>;
  let twinNumber: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    ctx = serviceContext(database.database, new TestClock(new Date()));
    ({ app, base } = await startServer(database, ctx));
    scene = await makeScene(ctx);
    const org = scene.organization.id;
    const rows = Array.from({ length: 144 }, (_, i) => ({
      id: randomUUID(),
      display_name: `Medlem ${String(i).padStart(3, "0")} Berg`,
    }));
    await ctx.db.insertInto("users").values(rows).execute();
    await ctx.db
      .insertInto("memberships")
      .values(rows.map((row) => ({ organization_id: org, user_id: row.id, role: "peer_mentor" as const })))
      .execute();
    await makeMember(ctx, org, "peer_mentor", { displayName: "Øyvind Ødegård" });
    await makeMember(ctx, org, "peer_mentor", { displayName: "Zelda Ås" });
    const twin = await makeMember(ctx, org, "peer_mentor", { displayName: "Zelda Ås" });
    twinNumber = (await grant(ctx, scene, { userId: twin.userId })).certificate_number;
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await app?.close();
    await database?.drop();
  });

  async function signedIn(userId: string, language: "nb" | "en"): Promise<Page> {
    const page = await newPage(browser(), contexts, language === "nb" ? "nb-NO" : "en-GB");
    await page.goto(`${base}/app?lang=${language}&view=members#token=${await tokenFor(userId)}`);
    await page.locator("#staff").waitFor();
    return page;
  }

  const rowNames = (page: Page) =>
    page
      .getByRole("table", { name: /Medlemmer|Members/ })
      .getByRole("rowheader")
      .allTextContents();

  it("a coordinator searches by keyboard only, by part of a name, and tells namesakes apart (nb)", async () => {
    const page = await signedIn(scene.coordinator.userId, "nb");
    // 150 members: the first page of 50, and the count of all.
    await page.locator("#members-summary").getByText("Viser 50 av 150 medlemmer.").waitFor();
    await checkPage(page);
    const search = page.getByRole("searchbox", { name: "Søk blant medlemmene" });
    await search.focus();
    await page.keyboard.type("ødeg");
    await page.keyboard.press("Enter");
    await expect.poll(() => rowNames(page)).toEqual(["Øyvind Ødegård"]);
    await page.locator("#members-summary").getByText("Viser 1 av 1 medlemmer.").waitFor();

    // Typing alone (no Enter) searches too, once the typing pauses.
    await page.keyboard.press("Control+A");
    await page.keyboard.type("zelda å");
    await expect
      .poll(() => rowNames(page))
      .toEqual(["Zelda Ås (samme navn som en annen)", "Zelda Ås (samme navn som en annen)"]);
    await page.getByRole("table", { name: "Medlemmer" }).getByText(twinNumber).waitFor();
    await checkPage(page);
  });

  it("an org admin pages with show more, changes a role and removes a member (en)", async () => {
    const page = await signedIn(scene.admin.userId, "en");
    await page.locator("#members-summary").getByText("Showing 50 of 150 members.").waitFor();
    const more = page.getByRole("button", { name: "Show more members" });
    await more.focus();
    await page.keyboard.press("Enter");
    await page
      .locator("#members-summary")
      .getByText(/^Showing 100 of 150 members\./)
      .waitFor();
    // Focus moves to the first new row.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe((await rowNames(page))[50]);
    await more.click();
    await page
      .locator("#members-summary")
      .getByText(/^Showing 150 of 150 members\./)
      .waitFor();
    expect(await more.count()).toBe(0);
    const names = await rowNames(page);
    expect(new Set(names).size).toBe(149); // the two namesakes share a name
    await checkPage(page);

    await page.getByRole("combobox", { name: "Role of Øyvind Ødegård" }).selectOption("coordinator");
    await page.getByRole("button", { name: "Save the role of Øyvind Ødegård" }).click();
    await page.locator("#members-msg").getByText("Øyvind Ødegård is now coordinator.").waitFor();

    await page.getByRole("searchbox", { name: "Search the members" }).fill("medlem 007");
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    await expect.poll(() => rowNames(page)).toEqual(["Medlem 007 Berg"]);
    await page.getByRole("button", { name: "Remove Medlem 007 Berg from the organisation" }).click();
    await page
      .getByRole("dialog", { name: "Remove Medlem 007 Berg from the organisation?" })
      .getByRole("button", { name: "Remove" })
      .click();
    await page
      .locator("#members-msg")
      .getByText("Medlem 007 Berg has been removed from the organisation.")
      .waitFor();
    await page.locator("#members-summary").getByText("Showing 0 of 0 members.").waitFor();
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    await page.getByText("No members match the search.").waitFor();

    await page.locator("#members-role").selectOption("coordinator");
    await page.getByRole("searchbox", { name: "Search the members" }).fill("");
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    await expect.poll(() => rowNames(page)).toContain("Øyvind Ødegård");
    await checkPage(page);
  });
});
