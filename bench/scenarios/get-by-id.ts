/** A certification by id over HTTP, against the bare route and the raw SQL. */
import type { Explained, HostLoop } from "../fixtures.js";
import { pick } from "../measure.js";
import { row } from "../report.js";
import type { Scenario } from "../runner.js";
import { GET_BY_ID_SQL } from "../sql.js";

export const getById: Scenario = {
  name: "get_by_id",
  async measure(bench) {
    const { fixtures: fx } = bench;
    const r = await bench.compare("get_by_id_http", {
      service: bench.http(fx.servicePort, (i) => {
        const c = pick(fx.ids, i);
        return { method: "GET", path: `/v1/certifications/${c.id}`, headers: bench.auth(c.o) };
      }),
      bare: bench.http(fx.barePort, (i) => ({
        method: "GET",
        path: `/bare/certifications/${pick(fx.ids, i).id}`,
        headers: {},
      })),
      raw: bench.loop("get_by_id_raw"),
    });
    bench.report.rows.push(row("get_by_id_http", r.service ?? null, r.bare, r.raw));
  },
};

export const getByIdLoops = {
  get_by_id_raw: (host) => (i) => host.runner.query(GET_BY_ID_SQL, [pick(host.samples.ids, i).id]),
} satisfies Record<string, HostLoop>;

export const explainGetById: Explained = (host) => [GET_BY_ID_SQL, [pick(host.samples.ids, 7).id]];
