import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserForFile, checkPage, newPage, startServer, tokenFor } from "../../test/browser.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { grant, makeMember, makeScene, serviceContext, TestClock } from "../../test/factories.js";
import type { App } from "../http/app.js";

const DAY = 86_400_000;

const browser = browserForFile();

const WORDS = {
  nb: {
    locale: "nb-NO",
    search: "Søk etter navn eller nummer",
    filter: "Filtrer",
    export: "Eksporter til CSV (med filtrene)",
    heading: (number: string) => `Sertifikat ${number}`,
    audit: "Endringer av sertifikatet",
    unknown: "Ukjent bruker",
  },
  en: {
    locale: "en-GB",
    search: "Search by name or number",
    filter: "Filter",
    export: "Export to CSV (with the filters)",
    heading: (number: string) => `Certificate ${number}`,
    audit: "Changes to the certificate",
    unknown: "Unknown user",
  },
} as const;

describe.each(DATABASE_KINDS)(
  "removed members' names and the searched export in a real browser (%s)",
  (kind) => {
    let database: TestDatabase;
    let app: App;
    let base: string;
    let ctx: ReturnType<typeof serviceContext>;
    let seed: Awaited<ReturnType<typeof seedData>>;
    const contexts: BrowserContext[] = [];

    async function asUser(userId: string, method: string, path: string, body?: unknown) {
      const answer = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${await tokenFor(userId)}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(answer.status, `${method} ${path}`).toBeLessThan(300);
    }

    async function seedData() {
      const now = ctx.clock().getTime();
      const scene = await makeScene(ctx);
      const org = scene.organization.id;
      const coordinator = await makeMember(ctx, org, "coordinator", { displayName: "Kari Koordinator" });
      const revoker = await makeMember(ctx, org, "coordinator", { displayName: "Rolf Revisor" });
      const person = (displayName: string) => makeMember(ctx, org, "peer_mentor", { displayName });
      const forScene = { ...scene, coordinator };
      const nordmann = await person("Ola Nordmann");
      const hansen = await person("Ola Hansen");
      const kari = await person("Kari Hansen");
      const siri = await person("Siri Slettet");
      const olaActive = await grant(ctx, forScene, { userId: nordmann.userId });
      const olaExpired = await grant(ctx, forScene, {
        userId: hansen.userId,
        issuedAt: new Date(now - 800 * DAY),
        expiresAt: new Date(now - 5 * DAY),
      });
      const kariActive = await grant(ctx, forScene, { userId: kari.userId });
      const removed = await grant(ctx, forScene, { userId: siri.userId });
      await asUser(revoker.userId, "POST", `/v1/certifications/${removed.id}/revoke`, { reason: "Sluttet" });
      for (const gone of [siri, revoker]) {
        await asUser(scene.admin.userId, "DELETE", `/v1/organizations/${org}/members/${gone.userId}`);
      }
      const other = await makeScene(ctx);
      const stranger = await makeMember(ctx, other.organization.id, "peer_mentor", {
        displayName: "Ola Annen",
      });
      const elsewhere = await grant(ctx, other, { userId: stranger.userId });
      return { coordinator, olaActive, olaExpired, kariActive, removed, elsewhere };
    }

    beforeAll(async () => {
      database = await createTestDatabase(kind);
      ctx = serviceContext(database.database, new TestClock(new Date()));
      ({ app, base } = await startServer(database, ctx));
      seed = await seedData();
    });

    afterAll(async () => {
      for (const context of contexts) await context.close();
      await app?.close();
      await database?.drop();
    });

    async function signedIn(userId: string, language: "nb" | "en"): Promise<Page> {
      const page = await newPage(browser(), contexts, WORDS[language].locale);
      await page.goto(`${base}/app?lang=${language}&view=certs#token=${await tokenFor(userId)}`);
      await page.locator("#staff").waitFor();
      return page;
    }

    it.each(["nb", "en"] as const)(
      "the list and the detail name a holder whose membership was removed, and the trail its revoker (%s)",
      async (language) => {
        const words = WORDS[language];
        const page = await signedIn(seed.coordinator.userId, language);
        const list = page.locator("#list");
        const number = seed.removed.certificate_number;
        await list.getByRole("link", { name: number }).waitFor();
        const row = list.getByRole("row").filter({ hasText: number });
        expect(await row.textContent()).toContain("Siri Slettet");
        expect(await list.textContent()).not.toContain(words.unknown);
        await checkPage(page, `${kind}-names-removed-list-${language}`);

        await list.getByRole("link", { name: number }).click();
        await page.getByRole("heading", { name: words.heading(number) }).waitFor();
        expect(await page.locator("#detail-facts").textContent()).toContain("Siri Slettet");
        const audit = page.getByRole("table", { name: words.audit });
        await audit.getByRole("cell", { name: "Rolf Revisor", exact: true }).waitFor();
        expect(await audit.textContent()).not.toContain(words.unknown);
        await checkPage(page, `${kind}-names-removed-detail-${language}`);
      },
    );

    it.each(["nb", "en"] as const)(
      "a search, then the export: the file holds exactly the rows the list shows (%s)",
      async (language) => {
        const words = WORDS[language];
        const page = await signedIn(seed.coordinator.userId, language);
        const list = page.locator("#list");
        await list.getByRole("link", { name: seed.kariActive.certificate_number }).waitFor();
        await page.getByRole("searchbox", { name: words.search }).fill("ola");
        await page.getByRole("button", { name: words.filter, exact: true }).click();
        const expected = [seed.olaExpired.certificate_number, seed.olaActive.certificate_number];
        await expect
          .poll(async () => (await list.getByRole("link").allTextContents()).sort())
          .toEqual([...expected].sort());
        await checkPage(page, `${kind}-names-search-${language}`);
        const shown = await list.getByRole("link").allTextContents();
        const [file] = await Promise.all([
          page.waitForEvent("download"),
          page.getByRole("link", { name: words.export }).click(),
        ]);
        const rows = parse(readFileSync(await file.path(), "utf8"), { columns: true }) as Record<
          string,
          string
        >[];
        expect(rows.map((r) => r.certificate_number)).toEqual(shown);
        const text = JSON.stringify(rows);
        for (const absent of [seed.kariActive, seed.removed, seed.elsewhere]) {
          expect(text).not.toContain(absent.certificate_number);
        }
      },
    );
  },
);
