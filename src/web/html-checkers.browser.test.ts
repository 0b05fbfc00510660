import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpTestApp, type HttpTestApp, type HttpWorld, makeHttpWorld } from "../../test/http.js";

/*
 * Every page the server has, in both languages, through the checkers the web's users run: the
 * Nu Html Checker (vnu-jar, on Java) finds no error and no warning, and pa11y's HTML CodeSniffer
 * runner (WCAG 2 AA, in Debian's Chromium; no browser is downloaded) finds no error. The list of
 * pages is checked against the server's routes, so a page added anywhere must be listed here.
 */

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const LANGUAGES = ["nb", "en"] as const;

/** Every GET route of the server, from its router's own listing. */
function routesOf(tree: string): { path: string; methods: string[] }[] {
  const parents: string[] = [];
  const routes: { path: string; methods: string[] }[] = [];
  for (const line of tree.split("\n")) {
    const match = /^((?:[│ ] {3})*)(?:[├└]── )?(\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? "").length / 4 + (line.includes("── ") ? 1 : 0);
    const path = `${parents[depth - 1] ?? ""}${match[2]}`;
    parents[depth] = path;
    parents.length = depth + 1;
    if (match[3]) routes.push({ path: path.replace(/^\/\//, "/"), methods: match[3].split(", ") });
  }
  return routes;
}

/** Routes that serve data, documents or assets rather than a page. */
const NOT_PAGES = /^\/(v1\/|docs|openapi\.json|healthz|readyz|metrics|assets\/)/;

describe("every page passes the Nu Html Checker and pa11y", () => {
  let t: HttpTestApp;
  let w: HttpWorld;
  let base: string;
  let dir: string;
  /** Route → the addresses that show each state of its page. */
  let pages: Record<string, string[]>;

  beforeAll(async () => {
    t = await createHttpTestApp("pglite", { pages: true });
    w = await makeHttpWorld(t);
    base = await t.app.listen({ port: 0, host: "127.0.0.1" });
    dir = mkdtempSync(join(tmpdir(), "certsvc-pages-"));
    const holder = { authorization: `Bearer ${w.tokens.mentorA}` };
    const id = w.certification.id;
    const number = w.certification.certificate_number;
    const code = (
      await t.app.inject({ url: `/v1/certifications/${id}/verification-code`, headers: holder })
    ).json<{
      verification_code: string;
    }>().verification_code;
    const link = (
      await t.app.inject({
        method: "POST",
        url: `/v1/certifications/${id}/share-links`,
        headers: { ...holder, "content-type": "application/json" },
        payload: JSON.stringify({ expires_in_days: 7 }),
      })
    ).json<{ url: string }>();
    const token = new URL(link.url).pathname.split("/").at(-1) ?? "";
    pages = {
      "/": ["/"],
      "/app": ["/app"],
      // Only redirects to /verify/{number}.
      "/verify": [],
      "/verify/:certificate_number": [
        `/verify/${number}?code=${encodeURIComponent(code)}`,
        `/verify/${number}`,
        "/verify/ZZZQ-2025-99999",
        "/verify/not-a-number",
      ],
      "/s/:token": [`/s/${token}`, "/s/unknown-token-0000000000000000"],
      // Unknown paths answer a problem (JSON), not a page.
      "/*": [],
    };
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  const urls = () =>
    Object.values(pages).flatMap((paths) =>
      paths.flatMap((path) =>
        LANGUAGES.map((lang) => `${path}${path.includes("?") ? "&" : "?"}lang=${lang}`),
      ),
    );

  it("lists every page route the server has", () => {
    const routes = routesOf(t.app.printRoutes({ commonPrefix: false }))
      .filter((route) => route.methods.includes("GET") && !NOT_PAGES.test(route.path))
      .map((route) => route.path);
    expect(routes.sort()).toEqual(Object.keys(pages).sort());
  });

  it("the Nu Html Checker finds no error and no warning on any page, in nb and en", async () => {
    const files: string[] = [];
    for (const [index, url] of urls().entries()) {
      const answer = await fetch(`${base}${url}`);
      expect(answer.headers.get("content-type"), url).toMatch(/^text\/html/);
      const file = join(dir, `page-${index}.html`);
      writeFileSync(file, await answer.text());
      files.push(file);
    }
    const jar = require.resolve("vnu-jar/build/dist/vnu.jar");
    const { stdout, stderr } = await run("java", ["-jar", jar, "--format", "json", "--stdout", ...files], {
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout: string; stderr: string }) => error);
    const report = JSON.parse(stdout || stderr) as {
      messages: { type: string; subType?: string; url?: string; message: string; extract?: string }[];
    };
    const found = report.messages
      .filter((message) => message.type === "error" || message.subType === "warning")
      .map((message) => {
        const index = Number(/page-(\d+)\.html/.exec(message.url ?? "")?.[1]);
        return `${urls()[index]}: ${message.type}${message.subType ? `/${message.subType}` : ""}: ${message.message}`;
      });
    console.info(`Nu Html Checker: ${files.length} pages, ${found.length} errors and warnings`);
    expect(found).toEqual([]);
  });

  it("pa11y's HTML CodeSniffer runner finds no error on any page, in nb and en", async () => {
    // One Chromium for every page (pa11y's own puppeteer, pointed at Debian's browser).
    const puppeteer = createRequire(require.resolve("pa11y"))("puppeteer") as {
      launch(options: Record<string, unknown>): Promise<{ close(): Promise<void> }>;
    };
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
    });
    const pa11y = require("pa11y") as (
      url: string,
      options: Record<string, unknown>,
    ) => Promise<{ issues: { type: string; code: string; message: string; selector: string }[] }>;
    const found: string[] = [];
    for (const url of urls()) {
      const result = await pa11y(`${base}${url}`, {
        runners: ["htmlcs"],
        standard: "WCAG2AA",
        includeWarnings: false,
        timeout: 60_000,
        browser,
      });
      for (const issue of result.issues.filter((candidate) => candidate.type === "error")) {
        found.push(`${url}: ${issue.code} at ${issue.selector}: ${issue.message}`);
      }
    }
    await browser.close();
    console.info(`pa11y (htmlcs): ${urls().length} pages, ${found.length} errors`);
    expect(found).toEqual([]);
  }, 600_000);
});
