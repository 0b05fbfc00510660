import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  axeViolations,
  browserForFile,
  newPage,
  screenshot,
  sidewaysScroll,
  smallTargets,
  startServer,
  tokenFor,
} from "../../test/browser.js";
import { insertCertifications } from "../../test/bulk.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { makeMember, makeScene, serviceContext, TestClock } from "../../test/factories.js";
import type { App } from "../http/app.js";

const DAY = 86_400_000;
const ROWS = 230;

const browser = browserForFile();

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe.each(DATABASE_KINDS)("the expiring view over more rows than a page (%s)", (kind) => {
  let database: TestDatabase;
  let app: App;
  let base: string;
  let coordinator: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const ctx = serviceContext(database.database, new TestClock(new Date()));
    ({ app, base } = await startServer(database, ctx));
    const scene = await makeScene(ctx);
    coordinator = (await makeMember(ctx, scene.organization.id, "coordinator")).userId;
    const now = Date.now();
    // 230 rows over five weeks: 46 each, 3, 10, 17, 24 and 40 days from now.
    let start = 0;
    for (const days of [3, 10, 17, 24, 40]) {
      await insertCertifications(ctx.db, {
        organizationId: scene.organization.id,
        typeId: scene.type.id,
        prefix: scene.organization.prefix,
        count: ROWS / 5,
        issuedAt: new Date(now - 400 * DAY),
        expiresAt: new Date(now + days * DAY),
        start,
      });
      start += ROWS / 5;
    }
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await app?.close();
    await database?.drop();
  });

  async function expiringView(language: "nb" | "en"): Promise<Page> {
    const page = await newPage(browser(), contexts, language === "nb" ? "nb-NO" : "en-GB");
    await page.goto(`${base}/app?lang=${language}&view=expiring#token=${await tokenFor(coordinator)}`);
    await page.locator("#view-expiring").waitFor();
    await page
      .locator("#view-expiring")
      .getByLabel(language === "nb" ? "Utløper før" : "Expires before")
      .fill(isoDay(Date.now() + 60 * DAY));
    await page.getByRole("button", { name: language === "nb" ? "Vis" : "Show", exact: true }).click();
    return page;
  }

  const rowCount = (page: Page) => page.locator("#expiring-list tbody tr").count();
  const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent ?? "");

  /** Tabs from where focus is to the button named `name`; false if it is not reached. */
  async function tabTo(page: Page, name: string): Promise<boolean> {
    for (let presses = 0; presses < 250; presses++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const node = document.activeElement;
        return node?.tagName === "BUTTON" ? node.textContent : null;
      });
      if (focused === name) return true;
    }
    return false;
  }

  it("in nb: counts all 230 per week, lists 100, and loads the rest by keyboard with focus on the first new row", async () => {
    const page = await expiringView("nb");
    await page
      .locator("#expiring-msg")
      .getByText(/^230 sertifikater utløper før/)
      .waitFor();
    expect(await page.locator("#expiring-weeks .summary").textContent()).toMatch(
      /^230 sertifikater utløper før /,
    );
    const weeks = await page
      .getByRole("list", { name: "Antall per uke" })
      .getByRole("listitem")
      .allTextContents();
    for (const week of weeks) expect(week).toMatch(/^Uke \d+ \(.+–.+\): \d+$/);
    expect(weeks.length).toBe(5);
    expect(weeks.map((week) => Number(week.split(": ")[1])).reduce((a, b) => a + b, 0)).toBe(ROWS);
    expect(await rowCount(page)).toBe(100);
    expect(await page.locator("#expiring-shown").textContent()).toBe("Viser 100 av 230.");
    expect(await axeViolations(page)).toEqual([]);
    expect(await sidewaysScroll(page)).toEqual([]);
    expect(await smallTargets(page, "#staff")).toEqual([]);
    await screenshot(page, `${kind}-expiring-many-nb`);

    // Keyboard only: from the "Vis" button to "Vis flere", Enter; focus lands on row 101.
    await page.getByRole("button", { name: "Vis", exact: true }).focus();
    expect(await tabTo(page, "Vis flere")).toBe(true);
    await page.keyboard.press("Enter");
    await page.locator("#expiring-msg").getByText("Viser 200 av 230.").waitFor();
    expect(await rowCount(page)).toBe(200);
    const row101 = await page.locator("#expiring-list tbody tr").nth(100).locator("th").textContent();
    expect(await focusedText(page)).toBe(row101);

    // Then Space on it loads the last 30; the button goes, focus is on row 201.
    expect(await tabTo(page, "Vis flere")).toBe(true);
    await page.keyboard.press("Space");
    await page.locator("#expiring-msg").getByText("Viser 230 av 230.").waitFor();
    expect(await rowCount(page)).toBe(ROWS);
    expect(await page.getByRole("button", { name: "Vis flere" }).count()).toBe(0);
    const row201 = await page.locator("#expiring-list tbody tr").nth(200).locator("th").textContent();
    expect(await focusedText(page)).toBe(row201);
    const numbers = await page.locator("#expiring-list tbody th").allTextContents();
    expect(new Set(numbers).size).toBe(ROWS);
    expect(await axeViolations(page)).toEqual([]);
    expect(await sidewaysScroll(page)).toEqual([]);
  });

  it("in en: the same counts and a Show more button, passing axe-core and reflowing at 320 and 390 px", async () => {
    const page = await expiringView("en");
    await page
      .locator("#expiring-msg")
      .getByText(/^230 certificates expire before/)
      .waitFor();
    const weeks = await page
      .getByRole("list", { name: "Count per week" })
      .getByRole("listitem")
      .allTextContents();
    for (const week of weeks) expect(week).toMatch(/^Week \d+ \(.+–.+\): \d+$/);
    expect(weeks.map((week) => Number(week.split(": ")[1])).reduce((a, b) => a + b, 0)).toBe(ROWS);
    expect(await page.locator("#expiring-shown").textContent()).toBe("Showing 100 of 230.");
    expect(await axeViolations(page)).toEqual([]);
    expect(await sidewaysScroll(page)).toEqual([]);
    await page.getByRole("button", { name: "Show", exact: true }).focus();
    expect(await tabTo(page, "Show more")).toBe(true);
    await page.keyboard.press("Enter");
    await page.locator("#expiring-msg").getByText("Showing 200 of 230.").waitFor();
    expect(await rowCount(page)).toBe(200);
    expect(await axeViolations(page)).toEqual([]);
    expect(await sidewaysScroll(page)).toEqual([]);
    await screenshot(page, `${kind}-expiring-many-en`);
  });
});
