import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpTestApp, type HttpTestApp } from "../../test/http.js";

const run = promisify(execFile);
const ROOT = new URL("../../", import.meta.url).pathname;
const bin = (path: string) => join(ROOT, "node_modules", path);
/** No telemetry and no update check: the linters reach nothing outside this machine. */
const QUIET = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };

describe("the served OpenAPI document, linted by the ecosystem's own tools", () => {
  let t: HttpTestApp;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    t = await createHttpTestApp("pglite", { pages: true });
    dir = mkdtempSync(join(tmpdir(), "certsvc-openapi-"));
    file = join(dir, "openapi.json");
    writeFileSync(file, (await t.app.inject("/openapi.json")).body);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it("Redocly (recommended rules, redocly.yaml) finds no error and no warning", async () => {
    const { stdout } = await run(
      process.execPath,
      [
        bin("@redocly/cli/bin/cli.js"),
        "lint",
        file,
        "--format",
        "json",
        "--config",
        join(ROOT, "redocly.yaml"),
      ],
      { cwd: ROOT, env: QUIET, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    const report = JSON.parse(stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string }[];
    };
    console.info(`Redocly: ${report.totals.errors} errors, ${report.totals.warnings} warnings`);
    expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it("Spectral (spectral:oas, .spectral.yaml) finds nothing at any severity", async () => {
    const output = join(dir, "spectral.json");
    await run(
      process.execPath,
      [
        bin("@stoplight/spectral-cli/dist/index.js"),
        "lint",
        file,
        "--ruleset",
        join(ROOT, ".spectral.yaml"),
        "--format",
        "json",
        "--output",
        output,
        "--fail-severity",
        "hint",
      ],
      { cwd: ROOT, env: QUIET },
    ).catch(() => undefined);
    const results = JSON.parse(readFileSync(output, "utf8")) as {
      code: string;
      message: string;
      path: string[];
    }[];
    console.info(`Spectral: ${results.length} results`);
    expect(results.map((result) => `${result.code} at ${result.path.join(".")}: ${result.message}`)).toEqual(
      [],
    );
  });
});
