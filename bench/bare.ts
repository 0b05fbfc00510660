import Fastify from "fastify";
import type { App } from "../src/http/app.js";
import { coordinatorId, organizationPrefix } from "./generate.js";
import { ELIGIBILITY_SQL, GET_BY_ID_SQL, issuePlain, LIST_PAGE_SQL, type Runner } from "./sql.js";

/**
 * The bare limit: Fastify with no auth, schemas, hooks or service code, running the limit's SQL
 * through the same driver and a pool of the same size. What it answers is the rows as they come.
 */
export async function buildBareServer(runner: Runner): Promise<App> {
  const app = Fastify({ logger: false });
  app.get<{ Querystring: { user_id: string; certification_type_id: string } }>(
    "/bare/eligibility",
    async (request) => {
      const rows = await runner.query(ELIGIBILITY_SQL, [
        request.query.user_id,
        request.query.certification_type_id,
      ]);
      return rows[0] ?? null;
    },
  );
  app.get<{ Params: { id: string } }>("/bare/certifications/:id", async (request) => {
    const rows = await runner.query(GET_BY_ID_SQL, [request.params.id]);
    return rows[0] ?? null;
  });
  app.get<{ Params: { orgId: string } }>("/bare/organizations/:orgId/certifications", async (request) => ({
    items: (await runner.query(LIST_PAGE_SQL, [request.params.orgId, 51])).slice(0, 50),
  }));
  app.post<{ Body: { o: number; organization_id: string; user_id: string; type_id: string } }>(
    "/bare/certifications",
    async (request, reply) => {
      const body = request.body;
      const row = await issuePlain(runner, {
        organizationId: body.organization_id,
        prefix: organizationPrefix(body.o),
        userId: body.user_id,
        typeId: body.type_id,
        issuerId: coordinatorId(body.o),
      });
      return reply.code(201).send(row);
    },
  );
  return app as unknown as App;
}
