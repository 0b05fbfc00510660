import pg from "pg";
import { openDatabase } from "../src/storage/database.js";
import { migrate } from "../src/storage/migrate.js";
import { TEMPLATE_DATABASE, withDatabaseName } from "./databases.js";

/**
 * With DATABASE_URL set, migrates one template database on the server once per run; every test
 * file then gets a fresh copy of it (CREATE DATABASE … TEMPLATE), and drops it afterwards.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const url = process.env.DATABASE_URL;
  if (!url) return async () => {};
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE_DATABASE}`);
  await admin.query(`create database ${TEMPLATE_DATABASE}`);
  const database = await openDatabase({ kind: "postgres", url: withDatabaseName(url, TEMPLATE_DATABASE) });
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
  return async () => {
    await admin.query(`drop database if exists ${TEMPLATE_DATABASE}`);
    await admin.end();
  };
}
