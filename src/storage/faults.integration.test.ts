import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createHttpTestApp,
  type HttpTestApp,
  type HttpWorld,
  injectTransport,
  makeHttpWorld,
  type Transport,
} from "../../test/http.js";
import { expectProblem } from "../../test/problems.js";
import { faultKindOf } from "./faults.js";

describe("what counts as a database fault", () => {
  it.each([
    [{ code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:5432" }, "connection"],
    [{ code: "57P01", message: "terminating connection due to administrator command" }, "connection"],
    [{ code: "57P03", message: "the database system is shutting down" }, "connection"],
    [{ code: "08006", message: "connection failure" }, "connection"],
    [new Error("Connection terminated unexpectedly"), "connection"],
    [new Error("timeout exceeded when trying to connect"), "connection"],
    [{ code: "53100", message: "could not extend file: No space left on device" }, "storage"],
    [{ code: "58030", message: "could not write block" }, "storage"],
    [new Error("ENOSPC: No space left on device, write"), "storage"],
    [{ code: "23505", message: "duplicate key value violates unique constraint" }, null],
    [{ code: "40001", message: "could not serialize access" }, null],
    [new TypeError("x is undefined"), null],
    ["a string", null],
  ])("%o is %s", (error, kind) => {
    expect(faultKindOf(error)).toBe(kind);
  });
});

/**
 * A full disk, as PostgreSQL reports it (SQLSTATE 53100 from a write), raised by a trigger so
 * the test needs no small file system: writes answer 503 with Retry-After, reads still work,
 * /readyz says the database cannot store data, and all of it ends with the next write that works.
 */
describe("a database that cannot store data", () => {
  let t: HttpTestApp;
  let w: HttpWorld;
  let send: Transport;
  beforeAll(async () => {
    t = await createHttpTestApp("pglite");
    w = await makeHttpWorld(t);
    send = injectTransport(t.app);
  });
  afterAll(async () => t.close());

  const grant = () =>
    send({
      method: "POST",
      url: `/v1/organizations/${w.a.organization.id}/certifications`,
      token: w.tokens.coordinatorA,
      body: { user_id: w.otherMentor.userId, certification_type_id: w.a.type.id },
    });

  it("answers writes 503, keeps reading, and is not ready until a write works again", async () => {
    await sql`create function certsvc_test_disk_full() returns trigger language plpgsql as $$
      begin
        raise exception 'could not extend file "base/5/16384": No space left on device' using errcode = '53100';
      end $$`.execute(t.ctx.db);
    await sql`create trigger certsvc_test_disk_full before insert on audit_events
      for each row execute function certsvc_test_disk_full()`.execute(t.ctx.db);

    const refused = await grant();
    expectProblem(refused, 503, "service_unavailable");
    expect(refused.headers["retry-after"]).toMatch(/^\d+$/);
    const ready = await send({ method: "GET", url: "/readyz" });
    expect(ready.status).toBe(503);
    expect((ready.body as { detail: string }).detail).toMatch(/cannot store data/);
    const read = await send({
      method: "GET",
      url: `/v1/certifications/${w.certification.id}`,
      token: w.tokens.coordinatorA,
    });
    expect(read.status).toBe(200);
    expect((await send({ method: "GET", url: "/readyz" })).status).toBe(503);

    await sql`drop trigger certsvc_test_disk_full on audit_events`.execute(t.ctx.db);
    expect((await grant()).status).toBe(201);
    expect((await send({ method: "GET", url: "/readyz" })).status).toBe(200);
  });
});
