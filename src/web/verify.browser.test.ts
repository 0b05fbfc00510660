import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/databases.js";
import { grant, makeScene, serviceContext, TestClock, verificationCodeOf } from "../../test/factories.js";
import type { App, ServerDeps } from "../http/app.js";
import { Authenticator, signToken } from "../http/auth.js";
import { buildApp } from "../main.js";
import { revokeCertification } from "../services/revoke-certification.js";
import { createShareLink } from "../services/share-links.js";

// The public verification and share pages and the mentor's own view, in Debian's Chromium:
// no horizontal scrolling at 320 and 390 CSS px, nothing axe-core finds, in nb and en.
const SECRET = "verify-browser-test-secret-0123456789abcdef";
const PLATFORM_URL = "https://medlem.example.no/";
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core"), "utf8");
const WIDTHS = [320, 390] as const;
const LANGUAGES = ["nb", "en"] as const;

vi.setConfig({ testTimeout: 240_000, hookTimeout: 300_000 });

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<unknown> } }).axe;
    const result = (await axe.run(document)) as {
      violations: { id: string; help: string; nodes: { target: unknown[] }[] }[];
    };
    return result.violations.map(
      (v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join("; ")}`,
    );
  });
  return violations;
}

/** Wider than the viewport by even one pixel means a horizontal scroll bar. */
const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe("verification, share and mentor pages in a real browser", () => {
  let browser: Browser;
  let database: TestDatabase;
  let app: App;
  let base: string;
  let ctx: ReturnType<typeof serviceContext>;
  let seed: Awaited<ReturnType<typeof seedData>>;
  const contexts: BrowserContext[] = [];

  async function seedData() {
    const scene = await makeScene(ctx, { name: "Likeperson – grunnkurs for hørselshemmede" });
    const valid = await grant(ctx, scene);
    const revokedScene = await makeScene(ctx);
    const revoked = await grant(ctx, revokedScene);
    await revokeCertification(ctx, revokedScene.coordinator.principal, revoked.id, { reason: "Feil" });
    const link = await createShareLink(ctx, scene.mentor.principal, valid.id, {
      expiresInDays: 30,
      publicUrl: base,
    });
    return { scene, valid, revoked, link, code: await verificationCodeOf(ctx, valid.id) };
  }

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
    database = await createTestDatabase("pglite");
    ctx = serviceContext(database.database, new TestClock(new Date()));
    const deps: ServerDeps = {
      ctx,
      auth: new Authenticator(database.database.db, {
        jwtSecret: SECRET,
        jwksUrl: null,
        issuer: null,
        audience: null,
        cacheSeconds: 0,
      }),
      logger: false,
      publicUrl: "http://127.0.0.1",
      platformUrl: PLATFORM_URL,
      verifyRateLimit: 100_000,
      readiness: async () => ({ ready: true, detail: "test" }),
    };
    app = await buildApp(deps);
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    base = `http://127.0.0.1:${address.port}`;
    seed = await seedData();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.close();
    await database?.drop();
  });

  async function newPage(width: number): Promise<Page> {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width, height: 800 } });
    contexts.push(context);
    return context.newPage();
  }

  /** Loads a page at 320 px, checks it there and at 390 px, and scans it with axe. */
  async function check(page: Page, label: string): Promise<void> {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      expect(await overflow(page), `${label} at ${width} px`).toBeLessThanOrEqual(0);
    }
    await page.setViewportSize({ width: 320, height: 800 });
    expect(await axeViolations(page), label).toEqual([]);
  }

  for (const language of LANGUAGES) {
    it(`the public pages reflow at 320 and 390 px and pass axe (${language})`, async () => {
      const page = await newPage(320);
      const number = seed.valid.certificate_number;
      const pages = [
        [`/verify/${number}?code=${seed.code}&name=Mari%20Mentor`, 200],
        [`/verify/${number}`, 404],
        [
          `/verify/${seed.revoked.certificate_number}?code=${await verificationCodeOf(ctx, seed.revoked.id)}`,
          200,
        ],
        [`/s/${seed.link.url.split("/s/")[1]}`, 200],
        ["/", 200],
      ] as const;
      for (const [path, status] of pages) {
        const response = await page.goto(`${base}${path}${path.includes("?") ? "&" : "?"}lang=${language}`);
        expect(response?.status(), path).toBe(status);
        await check(page, `${path} (${language})`);
      }
      // The result page says when it was checked and what the name check found.
      await page.goto(`${base}/verify/${number}?code=${seed.code}&name=Mari%20Mentor&lang=${language}`);
      expect(await page.locator("dl.facts").textContent()).toContain(
        language === "nb" ? "Navnet stemmer med innehaveren" : "The name matches the holder",
      );
      expect(await page.locator("dl.facts time").last().getAttribute("datetime")).toMatch(/^\d{4}-/);
    });

    it(`the sign-in page sends people to the platform, and the mentor's view reflows and passes axe (${language})`, async () => {
      const page = await newPage(320);
      await page.goto(`${base}/app?lang=${language}`);
      const platform = page.locator("#signin-platform-link");
      await platform.waitFor();
      expect(await platform.getAttribute("href")).toBe(PLATFORM_URL);
      expect(await platform.textContent()).toContain("medlem.example.no");
      await check(page, `sign-in (${language})`);

      // A new page: a change of the fragment alone would not load the page again.
      const mentor = await newPage(320);
      await mentor.goto(
        `${base}/app?lang=${language}#token=${await signToken(SECRET, seed.scene.mentor.userId)}`,
      );
      const card = mentor.locator(".mentor-card").first();
      await card.locator(".code").getByText(seed.code).waitFor();
      await mentor.locator(".share-list table").waitFor();
      await mentor.locator("#contact-list li").first().waitFor();
      expect(await card.locator(".days-left").textContent()).toMatch(/\d+ (dager igjen|days left)/);
      await card.getByRole("button", { name: language === "nb" ? "Vis QR-kode" : "Show QR code" }).click();
      await card.locator("img.qr").waitFor();
      await check(mentor, `mentor view (${language})`);
    });
  }

  it("the mentor copies the verification link, makes a share link, sees its views, and withdraws it: 410 at once", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    contexts.push(context);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    const page = await context.newPage();
    await page.goto(`${base}/app?lang=en#token=${await signToken(SECRET, seed.scene.mentor.userId)}`);
    const card = page.locator(".mentor-card").first();
    await card.getByRole("button", { name: "Copy the link" }).click();
    await card.getByText("The link has been copied.").waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      `${base}/verify/${seed.valid.certificate_number}?code=${seed.code}`,
    );

    await card.getByRole("spinbutton", { name: "Days the link works (1–90)" }).fill("7");
    await card.getByRole("button", { name: "Make a share link" }).click();
    await card.getByText(/^The share link is made and works until/).waitFor();
    const rows = card.locator(".share-list tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    // The service's public address is not this test server's: the path is what matters.
    const url = `${base}/s/${(await rows.first().locator("input").inputValue()).split("/s/")[1]}`;

    const visitor = await newPage(390);
    expect((await visitor.goto(url))?.status()).toBe(200);
    expect(await visitor.locator(".holder-name").textContent()).toBe("Mari Mentor");

    await page.reload();
    const fresh = page.locator(".mentor-card").first().locator(".share-list tbody tr").first();
    await expect.poll(() => fresh.locator(".views").textContent()).toBe("1");
    await fresh.getByRole("button", { name: /^Withdraw/ }).click();
    await page.locator(".mentor-card").first().getByText("The share link has been withdrawn.").waitFor();
    expect((await visitor.goto(url))?.status()).toBe(410);
  });
});
