import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { grant, makeScene, serviceContext } from "../../test/factories.js";
import { DomainError } from "../domain/errors.js";
import { findCertification } from "./certifications.js";
import { openDatabase } from "./database.js";
import { directReadOf } from "./direct-reads.js";

/**
 * Prepared reads on the pool go straight to the driver on PostgreSQL server (direct-reads.ts);
 * in a transaction they must stay on the transaction's connection, on both databases.
 */
describe.each(DATABASE_KINDS)("prepared reads on %s", (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind, { poolSize: 3 });
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it("take the driver's path on the server's pool only, never in a transaction", async () => {
    const { db } = testDb.database;
    expect(directReadOf(db) !== undefined).toBe(kind === "postgres");
    await db.transaction().execute(async (trx) => {
      expect(directReadOf(trx)).toBeUndefined();
    });
    await db.connection().execute(async (connection) => {
      expect(directReadOf(connection)).toBeUndefined();
    });
  });

  it("read the transaction's own uncommitted change inside it, and the committed row outside", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const { id } = await grant(ctx, scene, { notes: "before" });
    const { db } = testDb.database;
    if (kind === "pglite") {
      // One connection: a read outside would wait for the transaction, so only the inside is read.
      await db.transaction().execute(async (trx) => {
        await sql`update certifications set notes = 'inside' where id = ${id}`.execute(trx);
        expect((await findCertification(trx, id))?.notes).toBe("inside");
      });
    } else {
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let updated = () => {};
      const ready = new Promise<void>((resolve) => {
        updated = resolve;
      });
      const transaction = db.transaction().execute(async (trx) => {
        await sql`update certifications set notes = 'inside' where id = ${id}`.execute(trx);
        expect((await findCertification(trx, id))?.notes).toBe("inside");
        updated();
        await held;
      });
      await ready;
      expect((await findCertification(db, id))?.notes).toBe("before");
      release();
      await transaction;
    }
    expect((await findCertification(db, id))?.notes).toBe("inside");
  });

  it("answer the same record through either path", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const { id } = await grant(ctx, scene, { notes: 'Æ «quoted» "text"' });
    const { db } = testDb.database;
    const onPool = await findCertification(db, id);
    const inTransaction = await db.transaction().execute((trx) => findCertification(trx, id));
    expect(onPool).toBeDefined();
    expect(onPool).toEqual(inTransaction);
    expect(onPool?.issued_at).toBeInstanceOf(Date);
  });

  it("give their connection back after an SQL error, so the pool never runs dry", async () => {
    const { db } = testDb.database;
    // Three times the pool's size: a client kept after an error would exhaust it.
    for (let i = 0; i < 9; i++) {
      await expect(findCertification(db, "not-a-uuid")).rejects.toMatchObject({ code: "22P02" });
    }
    const ctx = serviceContext(testDb.database);
    const { id } = await grant(ctx, await makeScene(ctx));
    expect((await findCertification(db, id))?.id).toBe(id);
    expect(testDb.database.health.fault).toBeNull();
  });
});

describe.runIf(DATABASE_KINDS.includes("postgres"))("a prepared read when the server is out of reach", () => {
  it("answers service_unavailable and records a connection fault", async () => {
    const database = await openDatabase({ kind: "postgres", url: "postgres://postgres@127.0.0.1:9/none" });
    try {
      expect(directReadOf(database.db)).toBeDefined();
      const read = findCertification(database.db, "00000000-0000-0000-0000-000000000000");
      await expect(read).rejects.toBeInstanceOf(DomainError);
      await expect(read).rejects.toMatchObject({ code: "service_unavailable" });
      expect(database.health.fault?.kind).toBe("connection");
    } finally {
      await database.close();
    }
  });
});
