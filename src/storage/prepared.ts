import {
  type Compilable,
  type CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from "kysely";
import type { Queryable } from "./database.js";
import { directReadOf } from "./direct-reads.js";
import type { DB } from "./schema.js";

/**
 * Queries built and compiled once, executed many times: on a hot read, building a Kysely query
 * and compiling it to SQL costs more CPU than sending it. Both dialects (pg and PGlite) speak
 * PostgreSQL, so one compiler that never connects serves them both.
 */
const compiler = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const rowsOf = <R>(result: { rows: R[] }) => result.rows;

/** Stands for a parameter while the query is built; replaced by the caller's value on each run. */
class Slot {
  constructor(readonly name: string) {}
}

/**
 * Compiles `build` once, with placeholders for `params`, and returns a function that runs the
 * compiled SQL with the values given. `build` may use its params only as values of the query
 * (comparisons, `sql` template values, limit), never in JavaScript logic: they are placeholders
 * when it runs. A list goes in as one array parameter (`= any(…)`), not `in (…)`.
 * A select on the pool itself runs straight through the driver where the database allows it
 * (storage/direct-reads.ts); anything else, and every query in a transaction, goes through Kysely.
 */
export function prepareQuery<P extends object, R>(
  build: (db: Kysely<DB>, params: P) => Compilable<R>,
): (db: Queryable, params: P) => Promise<R[]> {
  const placeholders = new Proxy({} as P, {
    get: (_target, name) => (typeof name === "string" ? new Slot(name) : undefined),
  });
  const compiled = build(compiler, placeholders).compile();
  const { sql, query, queryId } = compiled;
  // For each parameter: the name of the value to put there, or the constant it always is.
  const slots = compiled.parameters.map((value) =>
    value instanceof Slot ? { name: value.name } : { constant: value },
  );
  const names = slots.map((slot) => ("name" in slot ? slot.name : null));
  const constants = slots.map((slot) => ("constant" in slot ? slot.constant : undefined));
  const reads = query.kind === "SelectQueryNode";
  return (db, params) => {
    const values = params as Record<string, unknown>;
    const parameters = new Array<unknown>(names.length);
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      parameters[i] = name == null ? constants[i] : values[name];
    }
    const direct = reads ? directReadOf(db) : undefined;
    if (direct) return direct(sql, parameters) as Promise<R[]>;
    const run: CompiledQuery<R> = { sql, query, queryId, parameters };
    return db.executeQuery(run).then(rowsOf);
  };
}

/**
 * Prepared queries of one family, by shape: a query whose clauses depend on which filters are
 * given is compiled once per combination of them and reused for every set of values.
 */
export function preparedByShape<P extends object, R>(
  build: (db: Kysely<DB>, params: P, shape: string) => Compilable<R>,
): (db: Queryable, shape: string, params: P) => Promise<R[]> {
  const cache = new Map<string, (db: Queryable, params: P) => Promise<R[]>>();
  return (db, shape, params) => {
    let run = cache.get(shape);
    if (!run) {
      run = prepareQuery<P, R>((compiler, placeholders) => build(compiler, placeholders, shape));
      cache.set(shape, run);
    }
    return run(db, params);
  };
}
