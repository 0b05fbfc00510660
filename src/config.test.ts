import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "./config.js";

describe("configuration", () => {
  it("defaults to the embedded database in ./data on 127.0.0.1:3000", () => {
    const config = loadConfig({});
    expect(config.database.kind).toBe("pglite");
    expect(config.port).toBe(3000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.warningDays).toBe(30);
    expect(config.sweepCron).toBe("*/5 * * * *");
  });

  it("a dead worker's jobs are taken over well within 60 s by default: a 30 s lease, a heartbeat every 10 s", () => {
    expect(loadConfig({})).toMatchObject({ jobLeaseSeconds: 30, jobHeartbeatSeconds: 10 });
    // A short lease brings the heartbeat down with it, unless set.
    expect(loadConfig({ CERTSVC_JOB_LEASE_SECONDS: "6" })).toMatchObject({ jobHeartbeatSeconds: 2 });
  });

  it("DATABASE_URL switches to PostgreSQL server", () => {
    const config = loadConfig({ DATABASE_URL: "postgres://postgres@127.0.0.1:5432/x" });
    expect(config.database).toMatchObject({ kind: "postgres", url: "postgres://postgres@127.0.0.1:5432/x" });
  });

  it.each([
    ["PORT", "eighty"],
    ["PORT", "70000"],
    ["CERTSVC_WARNING_DAYS", "-1"],
    ["CERTSVC_WARNING_DAYS", "abc"],
    ["CERTSVC_SWEEP_CRON", "every five minutes"],
    ["CERTSVC_DIGEST_CRON", "mondays"],
    ["DATABASE_URL", "mysql://localhost/x"],
    ["CERTSVC_JWT_SECRET", "short"],
    ["CERTSVC_NOTIFY_WEBHOOK_URL", "not a url"],
    ["LOG_LEVEL", "loud"],
    ["CERTSVC_JOB_LEASE_SECONDS", "1"],
    ["CERTSVC_NOTIFY_WEBHOOK_SECRET", "a-plain-secret"],
    ["CERTSVC_NOTIFY_WEBHOOK_SECRET", "whsec_c2hvcnQ="],
    ["CERTSVC_JOB_HEARTBEAT_SECONDS", "0"],
    ["CERTSVC_JOB_HEARTBEAT_SECONDS", "11"],
  ])("a bad %s (%s) is refused with a message naming the variable", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });

  it("the README's configuration table lists every variable with its default", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const rows = readme
      .split("\n")
      .filter((line) => line.startsWith("|"))
      .map((line) => line.split("|").map((cell) => cell.trim().replaceAll("`", "")));
    for (const variable of CONFIG_VARIABLES) {
      const row = rows.find((cells) => cells[1] === variable.name);
      expect(row, variable.name).toBeDefined();
      expect(row?.[2], variable.name).toBe(variable.default.replaceAll("`", ""));
    }
  });
});
