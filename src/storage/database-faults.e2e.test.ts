import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { makeScene, serviceContext } from "../../test/factories.js";
import {
  CLUSTER_TOOLS_PRESENT,
  freePort,
  startThrowawayCluster,
  type ThrowawayCluster,
} from "../../test/postgres-cluster.js";
import { signToken } from "../http/auth.js";
import { type Database, openDatabase } from "./database.js";
import { migrate } from "./migrate.js";

/**
 * The service through a PostgreSQL restart and a 20 s stop, under a write load: `serve` and two
 * `worker`s as separate processes on a cluster of the test's own. Every answer is a success or
 * a 503 problem; every acknowledged write is there afterwards; every process is still running;
 * and the badge jobs of the acknowledged grants are done by the workers once the database is back.
 */

const SECRET = "fault-test-secret-that-is-long-enough-0123456789";
const BIN = join(import.meta.dirname, "..", "..", "bin", "certsvc.js");
const STOP_SECONDS = 20;
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Tally {
  statuses: Map<number, number>;
  /** Answers that are neither a success nor a 503 problem with Retry-After. */
  wrong: string[];
  members: string[];
  certifications: string[];
  /** Time of each successful write. */
  successes: number[];
}

describe.skipIf(!CLUSTER_TOOLS_PRESENT)("database faults", () => {
  let cluster: ThrowawayCluster;
  let database: Database;
  let dataDir: string;
  const processes: { name: string; child: ChildProcess; output: string[] }[] = [];
  let base: string;

  function startProcess(name: string, args: string[], env: Record<string, string>) {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 200) output.shift();
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    processes.push({ name, child, output });
  }

  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    database = await openDatabase({ kind: "postgres", url: cluster.url, poolSize: 4 });
    await migrate(database);
    dataDir = mkdtempSync(join(tmpdir(), "certsvc-fault-"));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = {
      DATABASE_URL: cluster.url,
      CERTSVC_JWT_SECRET: SECRET,
      CERTSVC_DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      PORT: String(port),
      HOST: "127.0.0.1",
    };
    startProcess("serve", ["serve"], env);
    startProcess("worker 1", ["worker"], env);
    startProcess("worker 2", ["worker"], env);
    for (let attempt = 0; ; attempt++) {
      const ready = await fetch(`${base}/readyz`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ready) break;
      if (attempt > 600) throw new Error(`serve did not start: ${processes[0]?.output.join("")}`);
      await sleep(250);
    }
  });

  afterAll(async () => {
    for (const { child } of processes) child.kill("SIGTERM");
    await Promise.all(
      processes.map(({ child }) =>
        child.exitCode !== null ? undefined : new Promise((resolve) => child.once("exit", resolve)),
      ),
    );
    await database?.close();
    await cluster?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps every process running, answers 503 during the outage, loses no acknowledged write and recovers", async () => {
    const scene = await makeScene(serviceContext(database));
    const organizationId = scene.organization.id;
    const admin = { authorization: `Bearer ${await signToken(SECRET, scene.admin.userId)}` };
    const tally: Tally = { statuses: new Map(), wrong: [], members: [], certifications: [], successes: [] };
    const readiness: { at: number; status: number }[] = [];

    const record = async (what: string, response: Response): Promise<unknown> => {
      tally.statuses.set(response.status, (tally.statuses.get(response.status) ?? 0) + 1);
      const text = await response.text();
      if (response.status < 300) return JSON.parse(text);
      const type = response.headers.get("content-type") ?? "";
      if (
        response.status !== 503 ||
        !type.startsWith("application/problem+json") ||
        response.headers.get("retry-after") === null ||
        (JSON.parse(text) as { code?: string }).code !== "service_unavailable"
      ) {
        tally.wrong.push(`${what}: ${response.status} ${text.slice(0, 200)}`);
      }
      return null;
    };

    let running = true;
    const writer = async () => {
      while (running) {
        try {
          const userId = randomUUID();
          const put = await fetch(`${base}/v1/organizations/${organizationId}/members/${userId}`, {
            method: "PUT",
            headers: { ...admin, "content-type": "application/json" },
            body: JSON.stringify({ role: "peer_mentor", display_name: "Kari Nordmann" }),
          });
          if (!(await record("PUT member", put))) {
            await sleep(200);
            continue;
          }
          tally.members.push(userId);
          tally.successes.push(Date.now());
          const grant = await fetch(`${base}/v1/organizations/${organizationId}/certifications`, {
            method: "POST",
            headers: { ...admin, "content-type": "application/json" },
            body: JSON.stringify({ user_id: userId, certification_type_id: scene.type.id }),
          });
          const body = (await record("POST certification", grant)) as { id: string } | null;
          if (body) {
            tally.certifications.push(body.id);
            tally.successes.push(Date.now());
          } else {
            await sleep(200);
          }
        } catch (error) {
          tally.wrong.push(`no answer: ${(error as Error).message}`);
          await sleep(200);
        }
      }
    };
    const prober = async () => {
      while (running) {
        // `at` is when the probe was sent: one sent before the stop may be answered after it.
        const at = Date.now();
        const status = await fetch(`${base}/readyz`).then(
          (response) => response.status,
          () => 0,
        );
        readiness.push({ at, status });
        await sleep(250);
      }
    };
    /** Milliseconds from `since` to the first write that succeeded after it. */
    const recoveryAfter = async (since: number): Promise<number> => {
      for (;;) {
        const first = tally.successes.find((at) => at > since);
        if (first !== undefined) return first - since;
        if (Date.now() - since > 60_000)
          throw new Error("no write succeeded within 60 s of the database's return");
        await sleep(50);
      }
    };

    const load = [writer(), writer(), writer(), writer(), prober()];
    while (tally.certifications.length < 20) await sleep(100);

    await cluster.restart();
    const restartedAt = Date.now();
    const afterRestart = await recoveryAfter(restartedAt);

    await cluster.stop();
    const stoppedAt = Date.now();
    await sleep(STOP_SECONDS * 1000);
    const writesDuringStop = tally.successes.filter((at) => at > stoppedAt).length;
    await cluster.start();
    const startedAt = Date.now();
    const afterStop = await recoveryAfter(startedAt);
    const readyAgain = await (async () => {
      for (;;) {
        const ok = readiness.find((probe) => probe.at > startedAt && probe.status === 200);
        if (ok) return ok.at - startedAt;
        await sleep(100);
      }
    })();
    const more = tally.certifications.length;
    while (tally.certifications.length < more + 10) await sleep(100);
    running = false;
    await Promise.all(load);

    console.log(
      `database faults: ${tally.members.length} members and ${tally.certifications.length} certifications acknowledged; ` +
        `answers ${JSON.stringify(Object.fromEntries(tally.statuses))}; ` +
        `first write ${afterRestart} ms after the restart, ${afterStop} ms after the ${STOP_SECONDS} s stop; ` +
        `/readyz 200 again ${readyAgain} ms after it`,
    );

    for (const { name, child, output } of processes) {
      expect(child.exitCode, `${name} exited: ${output.join("").slice(-2000)}`).toBeNull();
    }
    expect(tally.wrong).toEqual([]);
    expect(tally.statuses.get(500) ?? 0).toBe(0);
    expect(tally.statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(writesDuringStop).toBe(0);
    const duringStop = readiness.filter((probe) => probe.at > stoppedAt + 1000 && probe.at < startedAt);
    expect(duringStop.length).toBeGreaterThan(0);
    expect(
      duringStop
        .filter((probe) => probe.status !== 503)
        .map((probe) => `${probe.at - stoppedAt} ms: ${probe.status}`),
    ).toEqual([]);

    const db = database.db;
    const members = await db
      .selectFrom("memberships")
      .select("user_id")
      .where("organization_id", "=", organizationId)
      .where("user_id", "in", tally.members)
      .execute();
    expect(new Set(members.map((row) => row.user_id))).toEqual(new Set(tally.members));
    const certifications = await db
      .selectFrom("certifications")
      .select(["id", "user_id"])
      .where("id", "in", tally.certifications)
      .execute();
    expect(certifications).toHaveLength(tally.certifications.length);

    // The workers resume: every acknowledged grant's badge job is done once the database is back.
    const holders = certifications.map((row) => row.user_id);
    for (let attempt = 0; ; attempt++) {
      const badges = await db
        .selectFrom("user_badges")
        .select("user_id")
        .where("badge", "=", "first_certification")
        .where("user_id", "in", holders)
        .execute();
      if (badges.length === holders.length) break;
      if (attempt > 600) expect(badges.length).toBe(holders.length);
      await sleep(100);
    }
  });
});
