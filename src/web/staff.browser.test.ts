import { readFileSync } from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  axeViolations,
  browserForFile,
  checkPage,
  newPage,
  screenshot,
  sidewaysScroll,
  smallTargets,
  startServer,
  tokenFor,
} from "../../test/browser.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import {
  grant,
  makeGlobalAdmin,
  makeMember,
  makeScene,
  serviceContext,
  TestClock,
} from "../../test/factories.js";
import type { App } from "../http/app.js";
import { revokeCertification } from "../services/revoke-certification.js";

const DAY = 86_400_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/i;

const browser = browserForFile();

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe.each(DATABASE_KINDS)("the staff workspace in a real browser (%s)", (kind) => {
  let database: TestDatabase;
  let app: App;
  let base: string;
  let ctx: ReturnType<typeof serviceContext>;
  let seed: Awaited<ReturnType<typeof seedData>>;
  const contexts: BrowserContext[] = [];

  async function seedData() {
    const now = ctx.clock().getTime();
    const scene = await makeScene(ctx);
    const org = scene.organization.id;
    const coordinator = await makeMember(ctx, org, "coordinator", { displayName: "Kari Koordinator" });
    const person = (displayName: string) => makeMember(ctx, org, "peer_mentor", { displayName });
    const forScene = { ...scene, coordinator };
    const ola1 = await person("Ola Nordmann");
    const ola2 = await person("Ola Nordmann");
    const kari = await person("Kari Hansen");
    const per = await person("Per Olsen");
    const siri = await person("Siri Berg");
    const tone = await person("Tone Lie");
    const lars = await person("Lars Holm");
    const nils = await person("Nils Dahl");
    const eva = await person("Eva Strand");
    const mona = await person("Mona Lund");
    const active = await grant(ctx, forScene);
    const expiring = await grant(ctx, forScene, {
      userId: kari.userId,
      issuedAt: new Date(now - 700 * DAY),
      expiresAt: new Date(now + 10 * DAY),
    });
    const expired = await grant(ctx, forScene, {
      userId: per.userId,
      issuedAt: new Date(now - 800 * DAY),
      expiresAt: new Date(now - 5 * DAY),
    });
    const toRevoke = await grant(ctx, forScene, { userId: nils.userId });
    const bulk1 = await grant(ctx, forScene, { userId: siri.userId });
    const bulk2 = await grant(ctx, forScene, { userId: tone.userId });
    const revoked = await grant(ctx, forScene, { userId: lars.userId });
    await revokeCertification(ctx, coordinator.principal, revoked.id, { reason: "Feil utstedt" });
    const globalAdmin = await makeGlobalAdmin(ctx);
    await ctx.db
      .insertInto("jobs")
      .values({
        queue: "notification",
        payload: JSON.stringify({ type: "certification.expiring_soon" }),
        state: "dead",
        attempts: 10,
        max_attempts: 10,
        run_at: new Date(now),
        last_error: "webhook answered 500",
      })
      .execute();
    return {
      eva,
      mona,
      scene,
      coordinator,
      ola1,
      ola2,
      active,
      expiring,
      expired,
      toRevoke,
      bulk1,
      bulk2,
      revoked,
      globalAdmin,
    };
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

  async function signedIn(userId: string, language: "nb" | "en", view = "certs"): Promise<Page> {
    const page = await newPage(browser(), contexts, language === "nb" ? "nb-NO" : "en-GB");
    await page.goto(`${base}/app?lang=${language}&view=${view}#token=${await tokenFor(userId)}`);
    await page.locator("#staff").waitFor();
    return page;
  }

  /** The paths of the server's OpenAPI document, to test what it offers. */
  async function serverPaths(): Promise<Record<string, Record<string, unknown>>> {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    return doc.paths;
  }

  const menu = (page: Page, name: string) =>
    page
      .getByRole("navigation", { name: /Arbeidsområder|Work areas/ })
      .getByRole("link", { name, exact: true });

  it("a coordinator's morning: counts, search, grant by keyboard, expiring, renew, revoke, bulk revoke, export, report", async () => {
    const page = await signedIn(seed.coordinator.userId, "nb");
    const list = page.locator("#list");
    await list.getByRole("link", { name: seed.active.certificate_number }).waitFor();
    await checkPage(page, `${kind}-coordinator-certificates-nb`);

    // Counts per status; one click filters to that status.
    const counts = page.getByRole("group", { name: "Antall per status" });
    await counts.getByRole("button", { name: "1 Utløpt" }).click();
    await expect
      .poll(() => list.getByRole("link").allTextContents())
      .toEqual([seed.expired.certificate_number]);
    await counts.getByRole("button", { name: "1 Utløpt" }).click();

    // Search by name, then by number.
    const search = page.getByRole("searchbox", { name: "Søk etter navn eller nummer" });
    await search.fill("Kari Hans");
    await page.getByRole("button", { name: "Filtrer", exact: true }).click();
    await expect
      .poll(() => list.getByRole("link").allTextContents())
      .toEqual([seed.expiring.certificate_number]);
    await search.fill(seed.expired.certificate_number.toLowerCase());
    await page.getByRole("button", { name: "Filtrer", exact: true }).click();
    await expect
      .poll(() => list.getByRole("link").allTextContents())
      .toEqual([seed.expired.certificate_number]);
    await search.fill("");

    // Keyboard only: find one of two namesakes, choose the second, pick the type, grant.
    await menu(page, "Tildel").click();
    await page.getByRole("searchbox", { name: "Søk etter medlem" }).focus();
    await page.keyboard.type("Ola");
    const olas = page.getByRole("radio", { name: /^Ola Nordmann \(samme navn som en annen\)/ });
    await expect.poll(() => olas.count()).toBe(2);
    await checkPage(page, `${kind}-coordinator-grant-nb`);
    await page.keyboard.press("Tab");
    await page.keyboard.press("ArrowDown");
    const chosen = await page.locator("#grant-member-results input:checked").getAttribute("value");
    expect([seed.ola1.userId, seed.ola2.userId]).toContain(chosen);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("grant-type");
    await page.keyboard.press("ArrowDown");
    for (
      let i = 0;
      i < 20 && (await page.evaluate(() => document.activeElement?.textContent)) !== "Tildel";
      i++
    ) {
      await page.keyboard.press("Tab");
    }
    await page.keyboard.press("Enter");
    await page
      .locator("#grant-msg")
      .getByText(/^Sertifikat .+ er tildelt\.$/)
      .waitFor();

    // Who expires before a date, soonest first, with a count per week.
    await menu(page, "Utløper").click();
    await page
      .locator("#view-expiring")
      .getByLabel("Utløper før")
      .fill(isoDay(Date.now() + 30 * DAY));
    await page.getByRole("button", { name: "Vis", exact: true }).click();
    await page
      .locator("#expiring-msg")
      .getByText(/^1 sertifikat utløper før/)
      .waitFor();
    expect(await page.getByRole("list", { name: "Antall per uke" }).textContent()).toMatch(
      /^Uke \d+ \(.+\): 1$/,
    );
    await checkPage(page, `${kind}-coordinator-expiring-nb`);

    // Renew from the list; the audit trail says what changed, in words.
    await page
      .locator("#expiring-list")
      .getByRole("link", { name: seed.expiring.certificate_number })
      .click();
    await page.getByRole("heading", { name: `Sertifikat ${seed.expiring.certificate_number}` }).waitFor();
    await page.getByRole("button", { name: "Forny" }).click();
    await page
      .locator("#detail-msg")
      .getByText(`Sertifikat ${seed.expiring.certificate_number} er fornyet.`)
      .waitFor();
    const audit = page.getByRole("table", { name: "Endringer av sertifikatet" });
    await audit.getByRole("cell", { name: "Fornyet", exact: true }).waitFor();
    expect(await audit.textContent()).toContain("Utløpsdato");
    expect(await audit.textContent()).toContain("Kari Koordinator");
    expect(await audit.textContent()).not.toMatch(UUID);
    expect(await audit.textContent()).not.toContain("{");

    // Keyboard only: revoke with a reason in the dialog.
    await menu(page, "Sertifikater").click();
    await list.getByRole("link", { name: seed.toRevoke.certificate_number }).click();
    const revokeButton = page.getByRole("button", { name: "Trekk tilbake", exact: true });
    await revokeButton.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", {
      name: `Trekk tilbake sertifikat ${seed.toRevoke.certificate_number}`,
    });
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("reason-text");
    await checkPage(page, `${kind}-coordinator-revoke-dialog-nb`);
    await page.keyboard.type("Har ikke fullført oppfølgingen");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "hidden" });
    await page
      .locator("#detail-msg")
      .getByText(`Sertifikat ${seed.toRevoke.certificate_number} er trukket tilbake.`)
      .waitFor();
    await audit.getByRole("cell", { name: "Har ikke fullført oppfølgingen", exact: true }).waitFor();

    // Bulk revoke: a dry run shows what will happen, one reason for all.
    await list.getByRole("checkbox", { name: `Velg ${seed.bulk1.certificate_number}` }).check();
    await list.getByRole("checkbox", { name: `Velg ${seed.bulk2.certificate_number}` }).check();
    await page.getByRole("button", { name: "Trekk tilbake valgte (2)" }).click();
    const bulk = page.getByRole("dialog", { name: "Trekk tilbake flere sertifikater" });
    await bulk.getByText("2 av 2 kan trekkes tilbake.").waitFor();
    await checkPage(page, `${kind}-coordinator-bulk-revoke-nb`);
    await bulk.getByRole("textbox", { name: "Begrunnelse" }).fill("Kurset ble avlyst");
    await bulk.getByRole("button", { name: "Trekk tilbake 2" }).click();
    await page.locator("#certs-msg").getByText("2 sertifikater er trukket tilbake.").waitFor();

    // Export with the filter in force.
    await page.getByRole("combobox", { name: "Filtrer på status" }).selectOption("revoked");
    await page.getByRole("button", { name: "Filtrer", exact: true }).click();
    await expect.poll(() => list.getByRole("link").count()).toBe(4);
    const [file] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Eksporter til CSV (med filtrene)" }).click(),
    ]);
    const csv = readFileSync(await file.path(), "utf8");
    expect(csv.split("\n")[0]).toContain("certificate_number");
    expect(csv).toContain(seed.bulk1.certificate_number);
    expect(csv).not.toContain(seed.active.certificate_number);

    // The funder report for a year, on the page and as CSV.
    await menu(page, "Rapport").click();
    const year = new Date().getFullYear();
    await page.getByRole("table", { name: `Per sertifikattype, ${year}` }).waitFor();
    await checkPage(page, `${kind}-coordinator-report-nb`);
    const [report] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: `Last ned rapporten for ${year} som CSV` }).click(),
    ]);
    expect(readFileSync(await report.path(), "utf8").length).toBeGreaterThan(0);
  });

  it("a coordinator adds a peer mentor and grants to her from the answer beside the form", async () => {
    const page = await signedIn(seed.coordinator.userId, "nb", "members");
    await page.getByRole("textbox", { name: "Navn" }).fill("Nina Nilsen");
    await page.getByRole("button", { name: "Legg til" }).click();
    await page.locator("#add-member-msg").getByText("Nina Nilsen er lagt til som likeperson.").waitFor();
    await checkPage(page, `${kind}-coordinator-members-nb`);
    await page
      .locator("#add-member-next")
      .getByRole("button", { name: "Tildel sertifikat til Nina Nilsen" })
      .click();
    expect(await page.getByRole("radio", { name: /^Nina Nilsen/ }).isChecked()).toBe(true);
    await page
      .getByRole("combobox", { name: "Sertifikattype" })
      .selectOption({ label: seed.scene.type.name });
    await page.getByRole("button", { name: "Tildel", exact: true }).click();
    await page
      .locator("#grant-msg")
      .getByText(/^Sertifikat .+ er tildelt\.$/)
      .waitFor();
  });

  it("a coordinator imports a CSV from the page: a dry run lists the bad line, the fixed file imports, the same file again writes nothing", async () => {
    const type = seed.scene.type.id;
    const header = "user_id,certification_type_id,issued_at,expires_at,notes";
    const good = `${seed.eva.userId},${type},2019-03-01T10:00:00Z,2021-03-01T10:00:00Z,Fra papirarkivet`;
    const bad = `${seed.mona.userId},${type},2019-03-01T10:00:00Z,2018-03-01T10:00:00Z,`;
    const fixed = `${seed.mona.userId},${type},2019-03-01T10:00:00Z,2021-03-01T10:00:00Z,`;
    const file = (rows: string[]) => ({
      name: "sertifikater.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`${[header, ...rows].join("\n")}\n`),
    });

    const page = await signedIn(seed.coordinator.userId, "nb", "import");
    const chooser = page.locator("#view-import").getByLabel("CSV-fil");
    const message = page.locator("#import-msg");
    await chooser.setInputFiles(file([good, bad]));
    await message.getByText("1 av 2 rader har problemer.", { exact: false }).waitFor();
    const problems = page.getByRole("list", { name: "1 problem i filen" });
    expect(await problems.textContent()).toMatch(/^Linje 3: expires_at_after_issued_at — .+/);
    expect(await page.locator("#import-report").textContent()).not.toContain("null");
    expect(await page.getByRole("button", { name: "Importer" }).isDisabled()).toBe(true);
    await checkPage(page, `${kind}-coordinator-import-problems-nb`);

    await chooser.setInputFiles(file([good, fixed]));
    await message.getByText(/^Filen er i orden: 2 rader, 2 blir importert/).waitFor();
    await page.getByRole("button", { name: "Importer" }).click();
    await message.getByText(/^2 sertifikater er importert\./).waitFor();
    await screenshot(page, `${kind}-coordinator-import-done-nb`);

    await chooser.setInputFiles(file([good, fixed]));
    await message.getByText(/^Filen er i orden: 2 rader, 0 blir importert, 2 finnes fra før/).waitFor();
    await page.getByRole("button", { name: "Importer" }).click();
    await message.getByText("Ingenting nytt ble lagret: alle 2 radene finnes fra før.").waitFor();
  });

  it("a coordinator suspends a certificate with a reason and lifts the suspension (en)", async () => {
    const page = await signedIn(seed.coordinator.userId, "en");
    await page
      .getByRole("searchbox", { name: "Search by name or number" })
      .fill(seed.active.certificate_number);
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    await page.locator("#list").getByRole("link", { name: seed.active.certificate_number }).click();
    await page.getByRole("button", { name: "Suspend", exact: true }).click();
    const dialog = page.getByRole("dialog", {
      name: `Suspend certificate ${seed.active.certificate_number}`,
    });
    await dialog.getByRole("textbox", { name: "Reason" }).fill("Complaint under review");
    await checkPage(page, `${kind}-coordinator-suspend-dialog-en`);
    await dialog.getByRole("button", { name: "Suspend" }).click();
    await page
      .locator("#detail-msg")
      .getByText(`Certificate ${seed.active.certificate_number} has been suspended.`)
      .waitFor();
    await page.locator("#detail-facts").getByText("Suspended").waitFor();
    await page.getByRole("button", { name: "Lift suspension" }).click();
    const lift = page.getByRole("dialog", {
      name: `Lift the suspension of ${seed.active.certificate_number}`,
    });
    await lift.getByRole("textbox", { name: "Reason" }).fill("Complaint dismissed");
    await lift.getByRole("button", { name: "Lift suspension" }).click();
    await page
      .locator("#detail-msg")
      .getByText(`The suspension of ${seed.active.certificate_number} has been lifted.`)
      .waitFor();
    await page.locator("#detail-facts").getByText("Active").waitFor();
  });

  it("an org admin changes a role and manages certification types (en)", async () => {
    const page = await signedIn(seed.scene.admin.userId, "en", "members");
    await page.getByRole("combobox", { name: "Role of Per Olsen" }).selectOption("coordinator");
    await page.getByRole("button", { name: "Save the role of Per Olsen" }).click();
    await page.locator("#members-msg").getByText("Per Olsen is now coordinator.").waitFor();
    await checkPage(page, `${kind}-admin-members-en`);

    await menu(page, "Certification types").click();
    await page.getByRole("textbox", { name: "Name" }).fill("Advanced course");
    await page.getByRole("spinbutton", { name: "Validity in months" }).fill("12");
    await page.getByRole("spinbutton", { name: "Warning in days before expiry" }).fill("14");
    await page.getByRole("button", { name: "Create type" }).click();
    await page
      .locator("#type-form-msg")
      .getByText("The certification type Advanced course has been created.")
      .waitFor();
    const types = page.getByRole("table", { name: "Certification types" });
    await types.getByRole("rowheader", { name: "Advanced course" }).waitFor();
    await checkPage(page, `${kind}-admin-types-en`);

    const paths = await serverPaths();
    if (paths["/v1/certification-types/{id}"]?.patch) {
      await types.getByRole("button", { name: "Edit Advanced course" }).click();
      const edit = page.getByRole("dialog", { name: "Edit Advanced course" });
      await edit.getByRole("spinbutton", { name: "Validity in months" }).fill("18");
      await checkPage(page, `${kind}-admin-type-edit-dialog-en`);
      await edit.getByRole("button", { name: "Save" }).click();
      await page.locator("#types-msg").getByText("Advanced course has been saved.").waitFor();
      await types.getByRole("cell", { name: "18 months" }).waitFor();
      await types.getByRole("button", { name: "Retire Advanced course" }).click();
      await page
        .getByRole("dialog", { name: "Retire Advanced course?" })
        .getByRole("button", { name: "Retire" })
        .click();
      await page.locator("#types-msg").getByText("Advanced course has been retired.").waitFor();
    }
    if (paths["/v1/organizations/{orgId}/members/{userId}"]?.delete) {
      await menu(page, "Members").click();
      await page.getByRole("button", { name: "Remove Nils Dahl from the organisation" }).click();
      const confirm = page.getByRole("dialog", { name: "Remove Nils Dahl from the organisation?" });
      await checkPage(page, `${kind}-admin-remove-member-dialog-en`);
      await confirm.getByRole("button", { name: "Remove" }).click();
      await page
        .locator("#members-msg")
        .getByText("Nils Dahl has been removed from the organisation.")
        .waitFor();
    }
  });

  it("a global admin creates an organization, retries a dead job and reinstates a revoked certificate", async () => {
    const page = await signedIn(seed.globalAdmin.userId, "nb", "admin");
    await page.getByRole("textbox", { name: "Navn" }).fill("Ny Forening");
    await page
      .getByRole("textbox", { name: "Prefiks" })
      .fill(`N${Date.now().toString(36).slice(-5).toUpperCase()}`);
    await page.getByRole("button", { name: "Opprett organisasjon" }).click();
    await page
      .locator("#org-form-msg")
      .getByText(/^Ny Forening \(.+\) er opprettet\.$/)
      .waitFor();
    expect(await page.getByRole("combobox", { name: "Organisasjon" }).textContent()).toContain("Ny Forening");

    const dead = page.getByRole("table", { name: "Jobber som har feilet, de nyeste først" });
    await dead.getByRole("rowheader", { name: "Varsel" }).first().waitFor();
    await checkPage(page, `${kind}-global-admin-nb`);
    await dead
      .getByRole("button", { name: /^Prøv igjen: Varsel/ })
      .first()
      .click();
    await page.locator("#dead-msg").getByText("Jobben er lagt i køen igjen.").waitFor();

    await page
      .getByRole("combobox", { name: "Organisasjon" })
      .selectOption({ label: seed.scene.organization.name });
    await menu(page, "Sertifikater").click();
    await page
      .getByRole("searchbox", { name: "Søk etter navn eller nummer" })
      .fill(seed.revoked.certificate_number);
    await page.getByRole("button", { name: "Filtrer", exact: true }).click();
    await page.locator("#list").getByRole("link", { name: seed.revoked.certificate_number }).click();
    await page.getByRole("button", { name: "Gjenopprett" }).click();
    const dialog = page.getByRole("dialog", {
      name: `Gjenopprett sertifikat ${seed.revoked.certificate_number}`,
    });
    await dialog.waitFor();
    await checkPage(page, `${kind}-global-admin-reinstate-dialog-nb`);
    await dialog.getByRole("textbox", { name: "Begrunnelse" }).fill("Trukket tilbake ved en feil");
    await dialog.getByRole("button", { name: "Gjenopprett" }).click();
    await page
      .locator("#detail-msg")
      .getByText(`Sertifikat ${seed.revoked.certificate_number} er gjenopprettet.`)
      .waitFor();
  });

  it("every staff view passes axe-core and reflows at 320 and 390 px, in en (and in nb where no other test looks)", async () => {
    const all = ["certs", "expiring", "grant", "members", "import", "report", "types", "admin"];
    for (const [language, views] of [
      ["en", all],
      ["nb", ["import", "types"]],
    ] as const) {
      const page = await signedIn(seed.globalAdmin.userId, language);
      await page.getByRole("combobox", { name: /Organisasjon|Organisation/ }).selectOption({
        label: seed.scene.organization.name,
      });
      for (const view of views) {
        await page.locator(`#staff-nav a[data-view="${view}"]`).click();
        await page.locator(`#view-${view}`).waitFor();
        expect(await axeViolations(page), `${view} (${language})`).toEqual([]);
        expect(await sidewaysScroll(page), `${view} (${language})`).toEqual([]);
        expect(await smallTargets(page, "#staff"), `${view} (${language})`).toEqual([]);
        if (language === "en") await screenshot(page, `${kind}-view-${view}-en`);
        if (language === "en" && (view === "certs" || view === "expiring")) {
          await page.setViewportSize({ width: 320, height: 800 });
          await screenshot(page, `${kind}-view-${view}-en-320px`);
          await page.setViewportSize({ width: 1100, height: 900 });
        }
        if (language === "en" && view === "certs") {
          // The bulk revoke dialog in English.
          const box = page
            .locator("#list")
            .getByRole("checkbox", { name: `Select ${seed.active.certificate_number}` });
          await box.check();
          await page.getByRole("button", { name: "Revoke selected (1)" }).click();
          const bulk = page.getByRole("dialog", { name: "Revoke several certificates" });
          await bulk.getByText("1 of 1 can be revoked.").waitFor();
          expect(await axeViolations(page)).toEqual([]);
          await bulk.getByRole("button", { name: "Cancel" }).click();
          await box.uncheck();
        }
      }
    }
  });
});
