/**
 * Eligibility: the check the app makes before mentor-only features. In process (the use case
 * against the raw SQL) and over HTTP (the route against the bare route and the raw SQL).
 */
import { checkEligibility } from "../../src/services/check-eligibility.js";
import type { Explained, HostLoop } from "../fixtures.js";
import { pick } from "../measure.js";
import { row } from "../report.js";
import type { Scenario } from "../runner.js";
import { ELIGIBILITY_SQL } from "../sql.js";

export const eligibility: Scenario = {
  name: "eligibility",
  async measure(bench) {
    const { fixtures: fx } = bench;
    const inprocess = await bench.compare("eligibility_inprocess", {
      service: bench.loop("eligibility_inprocess"),
      raw: bench.loop("eligibility_raw"),
    });
    bench.report.rows.push(row("eligibility_inprocess", inprocess.service ?? null, undefined, inprocess.raw));
    const over = await bench.compare("eligibility_http", {
      service: bench.http(fx.servicePort, (i) => {
        const p = pick(fx.pairs, i);
        return {
          method: "GET",
          path: `/v1/users/${p.u}/eligibility?certification_type_id=${p.t}`,
          headers: bench.auth(p.o),
        };
      }),
      bare: bench.http(fx.barePort, (i) => {
        const p = pick(fx.pairs, i);
        return {
          method: "GET",
          path: `/bare/eligibility?user_id=${p.u}&certification_type_id=${p.t}`,
          headers: {},
        };
      }),
      raw: bench.loop("eligibility_raw"),
    });
    bench.report.rows.push(row("eligibility_http", over.service ?? null, over.bare, over.raw));
  },
};

export const eligibilityLoops = {
  eligibility_raw: (host) => (i) => {
    const pair = pick(host.samples.pairs, i);
    return host.runner.query(ELIGIBILITY_SQL, [pair.u, pair.t]);
  },
  eligibility_inprocess: (host) => (i) => {
    const pair = pick(host.samples.pairs, i);
    return checkEligibility(host.runtime.ctx, pick(host.coordinators, pair.o), pair.u, pair.t);
  },
} satisfies Record<string, HostLoop>;

export const explainEligibility: Explained = (host) => {
  const pair = pick(host.samples.pairs, 7);
  return [ELIGIBILITY_SQL, [pair.u, pair.t]];
};
