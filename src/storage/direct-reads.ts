/**
 * Prepared reads outside a transaction may skip Kysely's executor and go to the driver's pool:
 * on the hottest reads (eligibility, a certification by id) the executor's connection handling
 * costs about as much CPU as the driver itself. A database opts in by registering how it reads;
 * a transaction, a single connection or a database with plugins is another object, never
 * registered, so its reads keep going through Kysely.
 */
export type DirectRead = (sql: string, parameters: unknown[]) => Promise<unknown[]>;

const directReads = new WeakMap<object, DirectRead>();

/** Lets prepared reads on `db` itself (the pool, not its transactions) run through `read`. */
export function allowDirectReads(db: object, read: DirectRead): void {
  directReads.set(db, read);
}

/** How prepared reads on `db` may run without Kysely, or undefined if they may not. */
export function directReadOf(db: object): DirectRead | undefined {
  return directReads.get(db);
}
