/**
 * Issuance over HTTP (POST with an Idempotency-Key) against the bare issuing transaction and the
 * raw SQL: spread over all organizations, or hot (all into organization 0, one number counter).
 * Every window starts from the first free pair again: what the previous one issued is removed.
 */
import { randomUUID } from "node:crypto";
import { type Host, type HostLoop, indexOf, removeWrittenSince } from "../fixtures.js";
import { coordinatorId, organizationId, organizationPrefix } from "../generate.js";
import { pick } from "../measure.js";
import type { IssueCandidate } from "../protocol.js";
import { row } from "../report.js";
import type { Scenario } from "../runner.js";
import { issuePlain } from "../sql.js";

function issueScenario(hot: boolean): Scenario {
  const name = hot ? "issue_hot_http" : "issue_spread_http";
  return {
    name,
    async measure(bench) {
      const { fixtures: fx, host } = bench;
      const candidates = await host.call<IssueCandidate[]>("issuePrepare", {
        hot,
        max: hot ? 200_000 : 150_000,
      });
      process.stderr.write(`  ${name}: ${candidates.length} free user+type pairs\n`);
      let mark = new Date(Date.now() - 1000);
      const cleanup = async () => {
        await host.call<null>("cleanup", { mark: mark.toISOString() });
        mark = new Date(Date.now() - 1000);
      };
      const r = await bench.compare(
        name,
        {
          service: bench.http(fx.servicePort, (i) => {
            const c = pick(candidates, i);
            return {
              method: "POST",
              path: `/v1/organizations/${fx.organizations[c.o]}/certifications`,
              headers: {
                ...bench.auth(c.o),
                "content-type": "application/json",
                "idempotency-key": randomUUID(),
              },
              body: JSON.stringify({ user_id: c.userId, certification_type_id: c.typeId }),
            };
          }),
          bare: bench.http(fx.barePort, (i) => {
            const c = pick(candidates, i);
            return {
              method: "POST",
              path: "/bare/certifications",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({
                o: c.o,
                organization_id: fx.organizations[c.o],
                user_id: c.userId,
                type_id: c.typeId,
              }),
            };
          }),
          raw: bench.loop("issue_raw"),
        },
        cleanup,
      );
      bench.report.rows.push(row(name, r.service ?? null, r.bare, r.raw));
    },
  };
}

export const issueSpread = issueScenario(false);
export const issueHot = issueScenario(true);

/**
 * Host: pairs of a member and a type of their organization with no live certification, so that
 * every issuance succeeds. `hot`: all in organization 0.
 */
export async function prepareIssue(
  host: Host,
  args: { hot: boolean; max: number },
): Promise<IssueCandidate[]> {
  const rows = await host.runner.query<{ u: string; t: string; org: string }>(
    `select m.user_id as u, t.id as t, m.organization_id as org
     from memberships m
     join certification_types t on t.organization_id = m.organization_id
     where m.role = 'peer_mentor' ${args.hot ? "and m.organization_id = $2" : ""}
       and not exists (select 1 from certifications c
                       where c.user_id = m.user_id and c.certification_type_id = t.id
                         and c.status not in ('expired', 'revoked'))
     order by md5(m.user_id::text || t.id::text)
     limit $1`,
    args.hot ? [args.max, organizationId(0)] : [args.max],
  );
  host.candidates = rows.map((row) => ({ userId: row.u, typeId: row.t, o: indexOf(row.org) }));
  return host.candidates;
}

/** Host: removes what the last window issued. */
export const cleanupIssue = (host: Host, args: { mark: string }) =>
  removeWrittenSince(host, new Date(args.mark));

export const issueLoops = {
  issue_raw: (host) => (i) => {
    const c = pick(host.candidates, i);
    return issuePlain(host.runner, {
      organizationId: organizationId(c.o),
      prefix: organizationPrefix(c.o),
      userId: c.userId,
      typeId: c.typeId,
      issuerId: coordinatorId(c.o),
    });
  },
} satisfies Record<string, HostLoop>;
