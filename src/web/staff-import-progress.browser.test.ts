import { randomUUID } from "node:crypto";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  axeViolations,
  browserForFile,
  newPage,
  screenshot,
  sidewaysScroll,
  startServer,
  tokenFor,
} from "../../test/browser.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { makeScene, serviceContext, TestClock } from "../../test/factories.js";
import type { App } from "../http/app.js";

const browser = browserForFile();

const ROWS = 3_000;

const LANGUAGES = {
  nb: {
    locale: "nb-NO",
    file: "CSV-fil",
    progress: "Fremdrift",
    run: "Importer",
    checked: (done: string) => new RegExp(`^${done} av 3\\s001 linjer er sjekket$`),
    processed: (done: string) => new RegExp(`^${done} av 3\\s001 linjer er behandlet$`),
    dryRunOk: /^Filen er i orden: 3000 rader, 3000 blir importert, 0 finnes fra før\./,
    done: /^3000 sertifikater er importert\. 0 fantes fra før\./,
  },
  en: {
    locale: "en-GB",
    file: "CSV file",
    progress: "Progress",
    run: "Import",
    checked: (done: string) => new RegExp(`^${done} of 3,001 lines checked$`),
    processed: (done: string) => new RegExp(`^${done} of 3,001 lines processed$`),
    dryRunOk: /^The file is fine: 3000 rows, 3000 will be imported, 0 exist already\./,
    done: /^3000 certificates have been imported\. 0 existed already\./,
  },
} as const;

/** The lines of each batch as the page writes them: 1 001, 2 001 and 3 001 (the header is line 1). */
const DONE = {
  nb: ["1\\s001", "2\\s001", "3\\s001"],
  en: ["1,001", "2,001", "3,001"],
} as const;

describe.each(DATABASE_KINDS)("CSV import progress on the page in a real browser (%s)", (kind) => {
  let database: TestDatabase;
  let app: App;
  let base: string;
  let ctx: ReturnType<typeof serviceContext>;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    ctx = serviceContext(database.database, new TestClock(new Date()));
    ({ app, base } = await startServer(database, ctx));
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await app?.close();
    await database?.drop();
  });

  const certifications = async (orgId: string) =>
    Number(
      (
        await ctx.db
          .selectFrom("certifications")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("organization_id", "=", orgId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** Every text the live region under the bar was given, in order, since the last call. */
  const liveTexts = (page: Page) =>
    page.evaluate(() => {
      const seen = (window as unknown as { seenProgress: string[] }).seenProgress;
      return seen.splice(0, seen.length);
    });

  it.each(["nb", "en"] as const)(
    "a coordinator imports a %s-language 3 000-row file: the bar fills line by line, the end is announced",
    async (language) => {
      const say = LANGUAGES[language];
      const scene = await makeScene(ctx);
      const lines = ["user_id,display_name,certification_type_id,issued_at"];
      for (let i = 0; i < ROWS; i++) {
        lines.push(`${randomUUID()},Mentor ${i},${scene.type.id},2019-0${(i % 9) + 1}-1${i % 10}`);
      }
      const file = { name: "papir.csv", mimeType: "text/csv", buffer: Buffer.from(`${lines.join("\n")}\n`) };

      const page = await newPage(browser(), contexts, say.locale);
      await page.goto(
        `${base}/app?lang=${language}&view=import#token=${await tokenFor(scene.coordinator.userId)}`,
      );
      await page.locator("#staff").waitFor();
      await page.locator("#import-progress-text").waitFor({ state: "attached" });
      expect(await page.locator("#import-progress-text").getAttribute("aria-live")).toBe("polite");
      // Each text the live region is given is kept, even when several lines come in one read.
      await page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { seenProgress: string[] }).seenProgress = seen;
        const region = document.getElementById("import-progress-text");
        if (!region) throw new Error("no live text");
        new MutationObserver((records) => {
          for (const record of records) {
            for (const node of Array.from(record.addedNodes)) seen.push(node.textContent ?? "");
          }
        }).observe(region, { childList: true, characterData: true, subtree: true });
      });

      const message = page.locator("#import-msg");
      const bar = page.getByRole("progressbar", { name: say.progress });
      await page.locator("#view-import").getByLabel(say.file).setInputFiles(file);
      await message.getByText(say.dryRunOk).waitFor();
      expect(await bar.evaluate((node: HTMLProgressElement) => [node.value, node.max])).toEqual([3001, 3001]);
      const checked = await liveTexts(page);
      expect(checked).toHaveLength(DONE[language].length);
      for (const [i, done] of DONE[language].entries()) expect(checked[i]).toMatch(say.checked(done));
      expect(await certifications(scene.organization.id)).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      expect(await sidewaysScroll(page)).toEqual([]);
      await screenshot(page, `${kind}-import-progress-dry-run-${language}`);

      await page.getByRole("button", { name: say.run, exact: true }).click();
      await message.getByText(say.done).waitFor();
      expect(await bar.evaluate((node: HTMLProgressElement) => [node.value, node.max])).toEqual([3001, 3001]);
      const processed = await liveTexts(page);
      expect(processed.at(-1)).toMatch(say.processed(DONE[language][2]));
      expect(await certifications(scene.organization.id)).toBe(ROWS);
      expect(await axeViolations(page)).toEqual([]);
      expect(await sidewaysScroll(page)).toEqual([]);
      await screenshot(page, `${kind}-import-progress-done-${language}`);
    },
  );
});
