/**
 * CPU time per request of the service and of the bare route, in process (Fastify's inject, no
 * socket), so that what the service adds per request is seen apart from the load generator and
 * the database, and barely moved by other work on the machine (CPU time, not wall time).
 *   DATABASE_URL=… npx tsx bench/cpu-probe.ts [requests]
 */
import { randomBytes } from "node:crypto";
import { closeHost, openHost } from "./fixtures.js";
import { pick } from "./measure.js";

const requests = Number(process.argv[2] ?? 20_000);
const { host, fixtures } = await openHost({
  databaseUrl: process.env.DATABASE_URL ?? null,
  dataDir: null,
  size: 1_000_000,
  poolSize: 10,
  secret: randomBytes(32).toString("base64url"),
});

type Target = (i: number) => { url: string; headers: Record<string, string> };
const targets: Record<string, Target> = {
  service_get_by_id: (i) => {
    const c = pick(fixtures.ids, i);
    return {
      url: `/v1/certifications/${c.id}`,
      headers: { authorization: `Bearer ${fixtures.tokens[c.o]}` },
    };
  },
  ...(process.env.ONLY_SERVICE
    ? {}
    : { bare_get_by_id: (i) => ({ url: `/bare/certifications/${pick(fixtures.ids, i).id}`, headers: {} }) }),
};

async function measure(name: string, target: Target) {
  const app = name.startsWith("bare") ? host.bare : host.service;
  const run = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < count) {
          const answer = await app.inject({ method: "GET", ...target(next++) });
          if (answer.statusCode !== 200) throw new Error(`${name}: ${answer.statusCode}`);
        }
      }),
    );
  };
  await run(2000);
  const commits = async () => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const [row] = await host.runner.query<{ n: string }>(
      "select xact_commit::text as n from pg_stat_database where datname = current_database()",
    );
    return Number(row?.n);
  };
  const committedBefore = await commits();
  const before = process.cpuUsage();
  await run(requests);
  const used = process.cpuUsage(before);
  const statements = ((await commits()) - committedBefore - 1) / requests;
  return `${((used.user + used.system) / requests).toFixed(1)} µs CPU, ${statements.toFixed(2)} transactions per request`;
}

for (let round = 0; round < 3; round++) {
  for (const [name, target] of Object.entries(targets)) {
    console.log(`${name.padEnd(20)} ${await measure(name, target)}`);
  }
}
await closeHost(host);
