import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from "kysely";
import { DomainError } from "../domain/errors.js";

/** Why the database cannot serve: it is out of reach, or it cannot store what it is given. */
export type FaultKind = "connection" | "storage";

/**
 * Node's socket errors, pg's own messages, and the SQLSTATE classes of a server that is going
 * away or cannot take more (57P0x shutdown, 08 connection, 53300 too many connections).
 */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);
const CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|the database system is (starting up|shutting down|in recovery mode)|PGlite is closed/i;
/** Disk full, out of memory, I/O errors, a file that cannot be extended. */
const STORAGE_MESSAGES = /No space left on device|could not (extend|write|fsync)|I\/O error/i;

export function faultKindOf(error: unknown): FaultKind | null {
  if (typeof error !== "object" || error === null) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string") {
    if (CONNECTION_CODES.has(code) || code.startsWith("08")) return "connection";
    if (code.startsWith("53") || code.startsWith("58")) return "storage";
  }
  if (typeof message === "string") {
    if (CONNECTION_MESSAGES.test(message)) return "connection";
    if (STORAGE_MESSAGES.test(message)) return "storage";
  }
  return null;
}

/**
 * What the process last learnt about its database: a fault stays until a query succeeds
 * (connection) or a write succeeds (storage), so /readyz can say why it is not ready.
 */
export class DatabaseHealth {
  #fault: { kind: FaultKind; since: Date } | null = null;

  get fault(): { kind: FaultKind; since: Date } | null {
    return this.#fault;
  }

  record(kind: FaultKind): void {
    if (this.#fault?.kind !== kind) this.#fault = { kind, since: new Date() };
  }

  succeeded(wrote: boolean): void {
    if (this.#fault && (this.#fault.kind === "connection" || wrote)) this.#fault = null;
  }
}

export const unavailable = (kind: FaultKind): DomainError =>
  new DomainError(
    "service_unavailable",
    kind === "storage"
      ? "The database cannot store data at the moment; try again shortly"
      : "The database is unavailable at the moment; try again shortly",
  );

const WRITES = new Set(["InsertQueryNode", "UpdateQueryNode", "DeleteQueryNode", "MergeQueryNode"]);
/** A raw statement that writes (the issuance and the import write in one raw statement each). */
const RAW_WRITE = /\b(insert\s+into|update\s+\S+\s+set|delete\s+from)\b/i;

const writes = (query: CompiledQuery): boolean =>
  WRITES.has(query.query.kind) || (query.query.kind === "RawNode" && RAW_WRITE.test(query.sql));

/**
 * A dialect whose every database call reports to `health` and turns a connection or storage
 * fault into `service_unavailable`, so a request meets a 503 and a job a retry, never a crash.
 */
export function faultAware(dialect: Dialect, health: DatabaseHealth): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => new FaultAwareDriver(dialect.createDriver(), health),
  };
}

/**
 * Runs `work` and reports its outcome to `health`. A plain `then` rather than an async function:
 * every query of every request passes here, and an async frame per call shows in the profiles.
 */
export function guarded<T>(health: DatabaseHealth, wrote: boolean, work: () => Promise<T>): Promise<T> {
  return work().then(
    (result) => {
      health.succeeded(wrote);
      return result;
    },
    (error: unknown) => {
      const kind = faultKindOf(error);
      if (kind === null) throw error;
      health.record(kind);
      throw unavailable(kind);
    },
  );
}

class FaultAwareConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly health: DatabaseHealth,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return guarded(this.health, writes(query), () => this.inner.executeQuery<R>(query));
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize);
    } catch (error) {
      const kind = faultKindOf(error);
      if (kind === null) throw error;
      this.health.record(kind);
      throw unavailable(kind);
    }
  }
}

const innerOf = (connection: DatabaseConnection): DatabaseConnection =>
  connection instanceof FaultAwareConnection ? connection.inner : connection;

class FaultAwareDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly health: DatabaseHealth,
  ) {}

  init(): Promise<void> {
    return guarded(this.health, false, () => this.inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await guarded(this.health, false, () => this.inner.acquireConnection());
    return new FaultAwareConnection(connection, this.health);
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return guarded(this.health, false, () => this.inner.beginTransaction(innerOf(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return guarded(this.health, true, () => this.inner.commitTransaction(innerOf(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return guarded(this.health, false, () => this.inner.rollbackTransaction(innerOf(connection)));
  }

  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]) {
    return guarded(this.health, false, async () =>
      this.inner.savepoint?.(innerOf(connection), name, compile),
    );
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]) {
    return guarded(this.health, false, async () =>
      this.inner.rollbackToSavepoint?.(innerOf(connection), name, compile),
    );
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]) {
    return guarded(this.health, false, async () =>
      this.inner.releaseSavepoint?.(innerOf(connection), name, compile),
    );
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
