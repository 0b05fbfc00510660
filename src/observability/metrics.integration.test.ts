import { execFile, execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grant, makeMember, makeRegistration, SYSTEM } from "../../test/factories.js";
import { createHttpTestApp, type HttpTestApp, type HttpWorld, makeHttpWorld } from "../../test/http.js";
import type { Notification, NotificationAdapter } from "../jobs/notifications.js";
import { createServiceWorker } from "../jobs/service-worker.js";
import { bulkRevoke } from "../services/bulk-revoke.js";
import { runExpirySweep } from "../services/run-expiry-sweep.js";
import { enqueueJob, QUEUES } from "../storage/jobs.js";
import { registry } from "./metrics.js";

const run = promisify(execFile);

/** promtool from Debian's prometheus package, where it is installed (CI installs it). */
function promtool(): string | null {
  try {
    execFileSync("promtool", ["--version"], { stdio: "ignore" });
    return "promtool";
  } catch {
    return null;
  }
}

/** The value of a metric with these labels, 0 before it was first counted. */
async function counted(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const wanted = Object.entries(labels);
  return values
    .filter((value) => wanted.every(([key, label]) => value.labels[key] === label))
    .filter((value) => !("metricName" in value) || !String(value.metricName).endsWith("_bucket"))
    .filter(
      (value) =>
        !("metricName" in value) || String(value.metricName).endsWith("_count") || name === value.metricName,
    )
    .reduce((sum, value) => sum + value.value, 0);
}

class NullAdapter implements NotificationAdapter {
  async deliver(_notification: Notification): Promise<void> {}
}

describe("business events are counted once, wherever they start", () => {
  let t: HttpTestApp;
  let w: HttpWorld;

  beforeAll(async () => {
    t = await createHttpTestApp("pglite");
    w = await makeHttpWorld(t);
  });
  afterAll(async () => t?.close());

  const api = (
    method: string,
    url: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method: method as "POST",
      url,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });

  it("an issuance once, never its idempotent replay nor a repeated course completion", async () => {
    const org = w.a.organization.id;
    const manual = await counted("certsvc_certifications_issued_total", { source: "manual_grant" });
    const course = await counted("certsvc_certifications_issued_total", { source: "course_completion" });
    const member = await makeMember(t.ctx, org, "peer_mentor");
    const key = { "idempotency-key": randomUUID() };
    const body = { user_id: member.userId, certification_type_id: w.a.type.id };
    const url = `/v1/organizations/${org}/certifications`;
    expect((await api("POST", url, w.tokens.coordinatorA, body, key)).statusCode).toBe(201);
    expect((await api("POST", url, w.tokens.coordinatorA, body, key)).statusCode).toBe(201);
    expect((await api("POST", url, w.tokens.coordinatorA, body)).statusCode).toBe(409);

    const registration = await makeRegistration(t.ctx, org, w.otherMentor.userId);
    const completion = { course_registration_id: registration.id, certification_type_id: w.a.type.id };
    const courseUrl = `/v1/organizations/${org}/certifications/course-completions`;
    expect((await api("POST", courseUrl, w.tokens.service, completion)).statusCode).toBe(201);
    expect((await api("POST", courseUrl, w.tokens.service, completion)).statusCode).toBe(200);

    const csv = `user_id,display_name,certification_type_id\n${randomUUID()},Ny Person,${w.a.type.id}\n`;
    const imported = await t.app.inject({
      method: "POST",
      url: `/v1/organizations/${org}/certifications/import`,
      headers: { ...(await t.bearer(w.a.admin.userId)), "content-type": "text/csv" },
      payload: csv,
    });
    expect(imported.statusCode).toBe(200);

    expect(await counted("certsvc_certifications_issued_total", { source: "manual_grant" })).toBe(manual + 2);
    expect(await counted("certsvc_certifications_issued_total", { source: "course_completion" })).toBe(
      course + 1,
    );
  });

  it("a revocation once, by revoke or by PATCH; a refused one or a later change of notes not at all", async () => {
    const before = await counted("certsvc_certifications_revoked_total");
    const id = w.certification.id;
    const revoke = await api("POST", `/v1/certifications/${id}/revoke`, w.tokens.coordinatorA, {
      reason: "Wrong",
    });
    expect(revoke.statusCode).toBe(200);
    const again = await api("POST", `/v1/certifications/${id}/revoke`, w.tokens.coordinatorA, {
      reason: "Wrong",
    });
    expect(again.statusCode).toBe(409);
    const member = await makeMember(t.ctx, w.a.organization.id, "peer_mentor");
    const granted = await api(
      "POST",
      `/v1/organizations/${w.a.organization.id}/certifications`,
      w.tokens.coordinatorA,
      {
        user_id: member.userId,
        certification_type_id: w.a.type.id,
      },
    );
    const other = granted.json<{ id: string }>().id;
    const patch = { status: "revoked", revocation_reason: "Left" };
    expect((await api("PATCH", `/v1/certifications/${other}`, w.tokens.coordinatorA, patch)).statusCode).toBe(
      200,
    );
    const twice = await api("PATCH", `/v1/certifications/${other}`, w.tokens.coordinatorA, patch);
    expect(twice.statusCode).toBeGreaterThanOrEqual(400);
    expect(
      (await api("PATCH", `/v1/certifications/${other}`, w.tokens.coordinatorA, { notes: "x" })).statusCode,
    ).toBe(200);
    expect(await counted("certsvc_certifications_revoked_total")).toBe(before + 2);
  });

  it("a bulk revoke once per certification revoked, whoever calls it; a dry run or a refused batch not at all", async () => {
    const org = w.a.organization.id;
    const url = `/v1/organizations/${org}/certifications/bulk-revoke`;
    const holders = await Promise.all([1, 2, 3, 4, 5].map(() => makeMember(t.ctx, org, "peer_mentor")));
    const ids: string[] = [];
    for (const holder of holders) ids.push((await grant(t.ctx, { ...w.a, mentor: holder })).id);
    const three = ids.slice(0, 3);
    const before = await counted("certsvc_certifications_revoked_total");

    const dry = await api("POST", url, w.tokens.coordinatorA, {
      certification_ids: three,
      reason: "Course withdrawn",
      dry_run: true,
    });
    expect(dry.statusCode).toBe(200);
    expect(dry.json<{ items: { outcome: string }[] }>().items.map((item) => item.outcome)).toEqual([
      "would_revoke",
      "would_revoke",
      "would_revoke",
    ]);
    expect(await counted("certsvc_certifications_revoked_total")).toBe(before);

    // One unknown id refuses the whole batch: nothing revoked, nothing counted.
    const refused = await api("POST", url, w.tokens.coordinatorA, {
      certification_ids: [...three, randomUUID()],
      reason: "Course withdrawn",
    });
    expect(refused.statusCode).toBe(404);
    expect(await counted("certsvc_certifications_revoked_total")).toBe(before);

    const real = await api("POST", url, w.tokens.coordinatorA, {
      certification_ids: three,
      reason: "Course withdrawn",
    });
    expect(real.statusCode).toBe(200);
    expect(real.json<{ revoked: number }>().revoked).toBe(3);
    expect(await counted("certsvc_certifications_revoked_total")).toBe(before + 3);

    // The use case itself counts, so a caller other than the route (a CLI, a job) counts the same.
    const rest = ids.slice(3);
    const direct = await bulkRevoke(t.ctx, w.a.coordinator.principal, org, {
      ids: rest,
      reason: "Course withdrawn",
      dryRun: false,
    });
    expect(direct.revoked).toBe(2);
    expect(await counted("certsvc_certifications_revoked_total")).toBe(before + 5);
  });

  it("a sweep once, from the admin route, the CLI's call and the worker's schedule alike", async () => {
    const ok = await counted("certsvc_expiry_sweep_runs_total", { outcome: "ok" });
    const timed = await counted("certsvc_expiry_sweep_duration_seconds");
    const answer = await api("POST", "/v1/admin/jobs/expiry-sweep", w.tokens.globalAdmin);
    expect(answer.statusCode).toBe(200);
    // What `certsvc sweep` runs.
    await runExpirySweep(t.ctx, SYSTEM);
    const worker = createServiceWorker({
      ctx: t.ctx,
      adapter: new NullAdapter(),
      sweepCron: "*/5 * * * *",
      notifyMaxAttempts: 3,
      schedules: false,
    });
    await t.ctx.db
      .transaction()
      .execute((trx) => enqueueJob(trx, { queue: QUEUES.expirySweep, payload: {}, runAt: t.clock.now() }));
    await worker.drain();
    expect((await api("POST", "/v1/admin/jobs/expiry-sweep", w.tokens.coordinatorA)).statusCode).toBe(403);
    expect(await counted("certsvc_expiry_sweep_runs_total", { outcome: "ok" })).toBe(ok + 3);
    expect(await counted("certsvc_expiry_sweep_duration_seconds")).toBe(timed + 3);
  });

  it("/metrics passes promtool check metrics, and no gauge is named _total", async () => {
    const text = (await t.app.inject("/metrics")).body;
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => ({
      name: match[1],
      type: match[2],
    }));
    expect(types.length).toBeGreaterThan(20);
    expect(types.filter(({ name, type }) => type !== "counter" && name?.endsWith("_total"))).toEqual([]);
    expect(types.filter(({ name, type }) => type === "counter" && !name?.endsWith("_total"))).toEqual([]);
    const tool = promtool();
    if (tool === null) {
      console.warn("promtool is not installed (Debian package prometheus): only the _total rule was checked");
      return;
    }
    const child = run(tool, ["check", "metrics"]);
    child.child.stdin?.end(text);
    const { stdout, stderr } = await child.catch((error: { stdout: string; stderr: string }) => error);
    console.info(`promtool check metrics: ${(stdout + stderr).trim() || "no problems"}`);
    expect((stdout + stderr).trim()).toBe("");
  });
});
