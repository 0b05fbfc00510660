import { randomBytes } from "node:crypto";
import { existsSync, renameSync, writeFileSync } from "node:fs";
import pg from "pg";
import { openDatabase } from "../src/storage/database.js";
import { migrate } from "../src/storage/migrate.js";
import { PGLITE_TEMPLATE_FILE, TEMPLATE_DATABASE, withDatabaseName } from "./databases.js";

/**
 * PGlite's initdb costs seconds per database; a dump of one migrated database, written once per
 * run, lets every test file start from it instead.
 */
async function writePGliteTemplate(): Promise<void> {
  if (existsSync(PGLITE_TEMPLATE_FILE)) return;
  const database = await openDatabase({ kind: "pglite", dataDir: null });
  try {
    await migrate(database);
    const dump = await database.dump?.();
    if (!dump) return;
    const partial = `${PGLITE_TEMPLATE_FILE}.${process.pid}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, PGLITE_TEMPLATE_FILE);
  } finally {
    await database.close();
  }
}

/**
 * With DATABASE_URL set, makes sure one migrated template database exists on the server; every
 * test file then gets a fresh copy of it (CREATE DATABASE … TEMPLATE), and drops it afterwards.
 *
 * Several test runs may share the server at once, so the template is never dropped under them:
 * it is named after the migrations it holds, built under a temporary name and renamed into
 * place only once fully migrated, and left for the next run.
 */
export default async function setup(): Promise<() => Promise<void>> {
  await writePGliteTemplate();
  const url = process.env.DATABASE_URL;
  if (!url) return async () => {};
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const exists = await admin.query("select 1 from pg_database where datname = $1", [TEMPLATE_DATABASE]);
    if (exists.rowCount) return async () => {};
    const building = `certsvc_build_${randomBytes(6).toString("hex")}`;
    await admin.query(`create database ${building}`);
    const database = await openDatabase({ kind: "postgres", url: withDatabaseName(url, building) });
    try {
      await migrate(database);
    } finally {
      await database.close();
    }
    try {
      await admin.query(`alter database ${building} rename to ${TEMPLATE_DATABASE}`);
    } catch {
      // Another run put an identical template in place first.
      await admin.query(`drop database if exists ${building} with (force)`);
    }
  } finally {
    await admin.end();
  }
  return async () => {};
}
