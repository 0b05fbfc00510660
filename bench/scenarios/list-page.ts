/** The first page (50) of an organization's certifications over HTTP, against the bare route and the raw SQL. */
import type { Explained, HostLoop } from "../fixtures.js";
import { ORGANIZATIONS, organizationId } from "../generate.js";
import { pick } from "../measure.js";
import { row } from "../report.js";
import type { Scenario } from "../runner.js";
import { LIST_PAGE_SQL } from "../sql.js";

export const listPage: Scenario = {
  name: "list_page",
  async measure(bench) {
    const { fixtures: fx } = bench;
    const r = await bench.compare("list_page_http", {
      service: bench.http(fx.servicePort, (i) => ({
        method: "GET",
        path: `/v1/organizations/${pick(fx.organizations, i)}/certifications?limit=50`,
        headers: bench.auth(i % fx.organizations.length),
      })),
      bare: bench.http(fx.barePort, (i) => ({
        method: "GET",
        path: `/bare/organizations/${pick(fx.organizations, i)}/certifications`,
        headers: {},
      })),
      raw: bench.loop("list_page_raw"),
    });
    bench.report.rows.push(row("list_page_http", r.service ?? null, r.bare, r.raw));
  },
};

export const listPageLoops = {
  list_page_raw: (host) => (i) => host.runner.query(LIST_PAGE_SQL, [organizationId(i % ORGANIZATIONS), 51]),
} satisfies Record<string, HostLoop>;

export const explainListPage: Explained = () => [LIST_PAGE_SQL, [organizationId(3), 51]];
