import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, vi } from "vitest";
import type { App, ServerDeps } from "../src/http/app.js";
import { Authenticator, signToken } from "../src/http/auth.js";
import { buildApp } from "../src/main.js";
import type { ServiceContext } from "../src/services/context.js";
import type { TestDatabase } from "./databases.js";

/**
 * The browser tests' harness: Debian's Chromium through playwright-core (never a downloaded
 * browser), a real listening server, axe-core, the reflow check and screenshots.
 */

export const TEST_SECRET = "web-browser-test-secret-0123456789abcdef";
export const PUBLIC_URL = "https://sertifikat.example.no";
/** Where screenshots go: CERTSVC_SCREENSHOTS, else test-artifacts/screenshots. */
export const SCREENSHOTS = process.env.CERTSVC_SCREENSHOTS ?? "test-artifacts/screenshots";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core"), "utf8");
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** A tab of its own (cookies, storage), in the locale given; axe-core may be injected (bypassCSP). */
export async function newPage(
  browser: Browser,
  contexts: BrowserContext[],
  locale = "nb-NO",
  width = 1100,
): Promise<Page> {
  const context = await browser.newContext({
    locale,
    bypassCSP: true,
    acceptDownloads: true,
    viewport: { width, height: 900 },
  });
  contexts.push(context);
  return context.newPage();
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe-core in the page and returns its violations, summarised for a readable failure. */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<unknown> } }).axe;
    const result = (await axe.run(document)) as { violations: AxeViolation[] };
    return result.violations;
  });
  return violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ""}`)
        .join("; ")}`,
  );
}

/**
 * WCAG 1.4.10: at each width, the page scrolls only down. Returns the widths that scroll
 * sideways (with the page's width), and puts the viewport back.
 */
export async function sidewaysScroll(page: Page, widths: readonly number[] = [320, 390]): Promise<string[]> {
  const before = page.viewportSize() ?? { width: 1100, height: 900 };
  const failures: string[] = [];
  for (const width of widths) {
    await page.setViewportSize({ width, height: 800 });
    const [scroll, inner] = await page.evaluate(() => [
      document.documentElement.scrollWidth,
      window.innerWidth,
    ]);
    if ((scroll ?? 0) > (inner ?? 0)) failures.push(`${width}px: scrollWidth ${scroll}`);
  }
  await page.setViewportSize(before);
  return failures;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** The whole process's routes (API and pages) on a real socket, as `npm start` serves them. */
export async function startServer(
  database: TestDatabase,
  ctx: ServiceContext,
): Promise<{ app: App; base: string }> {
  const deps: ServerDeps = {
    ctx,
    auth: new Authenticator(database.database.db, {
      jwtSecret: TEST_SECRET,
      jwksUrl: null,
      issuer: null,
      audience: null,
      cacheSeconds: 0,
    }),
    logger: false,
    publicUrl: PUBLIC_URL,
    verifyRateLimit: 100_000,
    readiness: async () => ({ ready: true, detail: "test" }),
  };
  const app = await buildApp(deps);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { app, base: `http://127.0.0.1:${address.port}` };
}

export const tokenFor = (userId: string) => signToken(TEST_SECRET, userId);

/**
 * WCAG 2.5.8: controls smaller than 24 × 24 CSS px in `scope` (visible ones; links inside a
 * sentence are exempt, so only links that stand alone in their block are measured).
 */
export async function smallTargets(page: Page, scope = "main"): Promise<string[]> {
  return page.evaluate((selector) => {
    const root = document.querySelector(selector);
    if (!root) return [];
    const small: string[] = [];
    for (const node of Array.from(
      root.querySelectorAll<HTMLElement>("a[href], button, input, select, textarea"),
    )) {
      const box = node.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (node.closest(".visually-hidden")) continue;
      if (
        node.tagName === "A" &&
        (node.parentElement?.textContent ?? "").trim() !== (node.textContent ?? "").trim()
      )
        continue;
      if (box.width < 24 || box.height < 24) {
        small.push(
          `${node.tagName.toLowerCase()}#${node.id || "?"} "${(node.textContent ?? "").trim().slice(0, 30)}" ${Math.round(box.width)}×${Math.round(box.height)}`,
        );
      }
    }
    return small;
  }, scope);
}

/**
 * One Chromium for a test file: launched before its tests, closed after them. Called at the top of
 * the file; the tests take the browser from the getter. With it go the limits of a real browser on
 * two shared cores: generous, and never a timed assertion.
 */
export function browserForFile(): () => Browser {
  vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("the browser is launched in beforeAll");
    return browser;
  };
}

/** The page passes axe-core and reflows at 320 and 390 px; a screenshot is kept under `name` if given. */
export async function checkPage(page: Page, name?: string): Promise<void> {
  expect(await axeViolations(page)).toEqual([]);
  expect(await sidewaysScroll(page)).toEqual([]);
  if (name !== undefined) await screenshot(page, name);
}
