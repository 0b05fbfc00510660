import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../../test/databases.js";
import { makeScene } from "../../../test/factories.js";
import { createHttpTestApp, type HttpTestApp } from "../../../test/http.js";

const NDJSON = "application/x-ndjson";

interface ProgressLine {
  type: "progress";
  lines_done: number;
  rows_done: number;
  lines_total: number | null;
}
type Line = ProgressLine | { type: "result"; [key: string]: unknown } | { type: "problem"; problem: Problem };
type Problem = { status: number; code: string; request_id?: string; [key: string]: unknown };

/** The CSV import's progress lines (Accept: application/x-ndjson) over a real listening socket. */
describe.each(DATABASE_KINDS)("CSV import with progress lines over a real socket on %s", (kind) => {
  let t: HttpTestApp;
  let base: string;

  beforeAll(async () => {
    t = await createHttpTestApp(kind, { importBodyLimit: 4 * 1024 * 1024 });
    base = await t.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => t?.close());

  const url = (orgId: string, query = "") =>
    `${base}/v1/organizations/${orgId}/certifications/import${query}`;
  const certifications = async (orgId: string) =>
    Number(
      (
        await t.ctx.db
          .selectFrom("certifications")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("organization_id", "=", orgId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const members = async (orgId: string) =>
    Number(
      (
        await t.ctx.db
          .selectFrom("memberships")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("organization_id", "=", orgId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** `count` back-dated paper certificates of new mentors; `bad` makes the last row's expiry precede its issue. */
  const paperRows = (count: number, bad = false) => {
    const rows: string[] = [];
    for (let i = 0; i < count; i++) {
      const expiry = bad && i === count - 1 ? "2018-01-01" : "";
      rows.push(`${randomUUID()},Mentor ${i},Grunnkurs,2019-0${(i % 9) + 1}-1${i % 10},${expiry}`);
    }
    return rows;
  };
  const fileOf = (rows: readonly string[]) =>
    `user_id,display_name,certification_type,issued_at,expires_at\n${rows.join("\n")}\n`;

  async function post(target: string, subject: string, text: string, accept?: string) {
    return fetch(target, {
      method: "POST",
      headers: {
        ...(await t.bearer(subject)),
        "content-type": "text/csv",
        ...(accept ? { accept } : {}),
      },
      body: text,
    });
  }

  const linesOf = async (answer: Response) =>
    (await answer.text())
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Line);

  /** The progress lines, and the last line, which is not one. */
  function split(lines: readonly Line[]) {
    const progress = lines.slice(0, -1) as ProgressLine[];
    const last = lines.at(-1);
    expect(progress.every((line) => line.type === "progress")).toBe(true);
    return { progress, last };
  }

  /** Each batch of 1000 rows is one line, in order, and the last one covers the whole file. */
  function expectBatches(progress: readonly ProgressLine[], rows: number) {
    expect(progress.map((p) => p.rows_done)).toEqual(
      Array.from({ length: Math.ceil(rows / 1000) }, (_, i) => Math.min((i + 1) * 1000, rows)),
    );
    const done = progress.map((p) => p.lines_done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(new Set(done).size).toBe(done.length);
    expect(done.at(-1)).toBe(rows + 1);
    for (const p of progress) expect([null, rows + 1]).toContain(p.lines_total);
  }

  const withoutRequestId = ({ request_id: _id, ...rest }: Problem) => rest;

  it("a 12 000-line import streams a progress line per batch, then the same report as the JSON answer", async () => {
    const file = fileOf(paperRows(12_000));
    const streamed = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 24 });
    const plain = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 24 });

    const answer = await post(url(streamed.organization.id), streamed.coordinator.userId, file, NDJSON);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    const { progress, last } = split(await linesOf(answer));
    expectBatches(progress, 12_000);
    expect(await certifications(streamed.organization.id)).toBe(12_000);

    // A file of the same shape (its holders new too: a holder of one organization's file is not
    // another's to enrol), as JSON, into a twin organization: the result line is that answer.
    const json = await post(url(plain.organization.id), plain.coordinator.userId, fileOf(paperRows(12_000)));
    expect(json.status).toBe(200);
    const report = (await json.json()) as Record<string, unknown>;
    expect(report).toMatchObject({ rows: 12_000, imported: 12_000, skipped: 0 });
    expect(last).toEqual({ type: "result", ...report });
  });

  it("a bad line in the last batch: progress, then the 400 report as a problem line, and nothing written", async () => {
    const org = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 24 });
    const file = fileOf(paperRows(2_500, true));
    const membersBefore = await members(org.organization.id);

    const answer = await post(url(org.organization.id), org.coordinator.userId, file, NDJSON);
    expect(answer.status).toBe(200);
    const { progress, last } = split(await linesOf(answer));
    expectBatches(progress, 2_500);
    expect(last?.type).toBe("problem");
    const streamed = (last as { problem: Problem }).problem;
    expect(streamed).toMatchObject({
      status: 400,
      code: "invalid_request",
      imported: 0,
      skipped: 1,
      row_errors: [expect.objectContaining({ line: 2_501, code: "expires_at_after_issued_at" })],
    });
    expect(await certifications(org.organization.id)).toBe(0);
    expect(await members(org.organization.id)).toBe(membersBefore);

    const json = await post(url(org.organization.id), org.coordinator.userId, file);
    expect(json.status).toBe(400);
    expect(json.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
    expect(withoutRequestId(streamed)).toEqual(withoutRequestId((await json.json()) as Problem));
    expect(await certifications(org.organization.id)).toBe(0);
  });

  it("a file that stops being CSV after the first batch ends with a problem line, and nothing is written", async () => {
    const org = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 24 });
    const file = `${fileOf(paperRows(1_500))}${randomUUID()},"Ulukket sitat,Grunnkurs,2019-01-01,\n`;
    const answer = await post(url(org.organization.id), org.coordinator.userId, file, NDJSON);
    expect(answer.status).toBe(200);
    const { progress, last } = split(await linesOf(answer));
    expect(progress.map((p) => p.rows_done)).toEqual([1_000]);
    expect(last).toEqual({
      type: "problem",
      problem: expect.objectContaining({
        status: 400,
        code: "invalid_request",
        errors: [expect.objectContaining({ field: "file" })],
      }),
    });
    expect(await certifications(org.organization.id)).toBe(0);
  });

  it("a dry run streams the same way, reports the bad line as the JSON dry run does, and writes nothing", async () => {
    const org = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 24 });
    const file = fileOf(paperRows(3_000, true));
    const target = url(org.organization.id, "?dry_run=true");

    const answer = await post(target, org.coordinator.userId, file, NDJSON);
    expect(answer.status).toBe(200);
    const { progress, last } = split(await linesOf(answer));
    expectBatches(progress, 3_000);
    const json = await post(target, org.coordinator.userId, file);
    const report = await json.json();
    expect(report).toMatchObject({
      dry_run: true,
      rows: 3_000,
      // Without skip_invalid a file with a bad row imports nothing, and its dry run says so.
      imported: 0,
      skipped: 1,
      errors: [expect.objectContaining({ line: 3_001, code: "expires_at_after_issued_at" })],
    });
    expect(last).toEqual({ type: "result", ...report });
    expect(await certifications(org.organization.id)).toBe(0);
  });

  it("progress comes while the file is still being sent, before the last rows have left the client", async () => {
    const org = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 24 });
    const rows = paperRows(2_000);
    const [head, tail] = [fileOf(rows.slice(0, 1_500)), `${rows.slice(1_500).join("\n")}\n`];
    const { authorization } = await t.bearer(org.coordinator.userId);
    const { first, rest } = await new Promise<{ first: ProgressLine; rest: string }>((resolve, reject) => {
      const req = httpRequest(url(org.organization.id), {
        method: "POST",
        headers: { authorization, "content-type": "text/csv", accept: NDJSON },
      });
      req.on("error", reject);
      req.on("response", (response) => {
        let text = "";
        let first: ProgressLine | null = null;
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
          if (first === null && text.includes("\n")) {
            first = JSON.parse(text.slice(0, text.indexOf("\n"))) as ProgressLine;
            // Only now does the rest of the file go.
            req.end(tail);
          }
        });
        response.on("end", () => (first ? resolve({ first, rest: text }) : reject(new Error("no line"))));
      });
      req.write(head);
    });
    // The whole file had not arrived, so its length was not known yet.
    expect(first).toEqual({ type: "progress", lines_done: 1_001, rows_done: 1_000, lines_total: null });
    const lines = rest
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Line);
    expect(lines.at(-1)).toMatchObject({ type: "result", rows: 2_000, imported: 2_000 });
    expect(await certifications(org.organization.id)).toBe(2_000);
  });

  it("without Accept: application/x-ndjson the answer is the JSON report, in the same shape as before", async () => {
    const org = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 24 });
    const answer = await post(url(org.organization.id), org.coordinator.userId, fileOf(paperRows(1_200)));
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(answer.headers.get("vary")).toBe("Accept-Language");
    const text = await answer.text();
    expect(
      text.startsWith('{"dry_run":false,"rows":1200,"imported":1200,"already_held":0,"skipped":0,'),
    ).toBe(true);
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      "dry_run",
      "rows",
      "imported",
      "already_held",
      "skipped",
      "errors_truncated",
      "held",
      "held_truncated",
      "errors",
    ]);
    expect(text).not.toContain('"type"');
  });

  it("refusals before the first batch stay plain problems with their status, even when progress is asked for", async () => {
    const org = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 24 });
    const file = fileOf(paperRows(10));
    const problemOf = async (answer: Response) => ({
      status: answer.status,
      type: answer.headers.get("content-type"),
      code: ((await answer.json()) as Problem).code,
    });
    const plain = "application/problem+json; charset=utf-8";

    const anonymous = await fetch(url(org.organization.id), {
      method: "POST",
      headers: { "content-type": "text/csv", accept: NDJSON },
      body: file,
    });
    expect(await problemOf(anonymous)).toEqual({ status: 401, type: plain, code: "unauthenticated" });
    const mentor = await post(url(org.organization.id), org.mentor.userId, file, NDJSON);
    expect(await problemOf(mentor)).toEqual({ status: 403, type: plain, code: "forbidden" });
    const header = await post(url(org.organization.id), org.coordinator.userId, "user_id\nx\n", NDJSON);
    expect(await problemOf(header)).toEqual({ status: 400, type: plain, code: "invalid_request" });
    const media = await fetch(url(org.organization.id), {
      method: "POST",
      headers: { ...(await t.bearer(org.coordinator.userId)), "content-type": "text/plain", accept: NDJSON },
      body: file,
    });
    expect(await problemOf(media)).toEqual({ status: 415, type: plain, code: "unsupported_media_type" });
    expect(await certifications(org.organization.id)).toBe(0);
  });

  it("a file of only a header asked as ndjson answers with its one result line", async () => {
    const org = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 24 });
    const answer = await post(url(org.organization.id), org.coordinator.userId, fileOf([]), NDJSON);
    expect(answer.status).toBe(200);
    expect(await linesOf(answer)).toEqual([
      expect.objectContaining({ type: "result", rows: 0, imported: 0 }),
    ]);
  });
});
