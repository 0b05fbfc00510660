/**
 * What a signed credential costs: GET /v1/certifications/{id}/credential over real HTTP, one
 * request at a time, against a fresh embedded database (the first request of each certification
 * draws its status indexes; the rest only read, sign and answer), then GET of its status list.
 *   npx tsx bench/trace-credential.ts [count]
 */
import { parseArgs } from "node:util";
import { grant, makeScene, TestClock } from "../test/factories.js";
import { createHttpTestApp } from "../test/http.js";
import { percentile } from "./measure.js";

const { positionals } = parseArgs({ allowPositionals: true });
const count = Number(positionals[0] ?? 200);
const t = await createHttpTestApp("pglite", { clock: new TestClock(new Date()) });
await t.app.listen({ port: 0, host: "127.0.0.1" });
const address = t.app.server.address();
if (address === null || typeof address === "string") throw new Error("not listening");
const base = `http://127.0.0.1:${address.port}`;
if (t.ctx.credentials) t.ctx.credentials.publicUrl = base;
const scene = await makeScene(t.ctx);
const headers = await t.bearer(scene.coordinator.userId);
const ids: string[] = [];
for (let i = 0; i < 20; i++) {
  const { putMember } = await import("../src/services/put-member.js");
  const userId = crypto.randomUUID();
  await putMember(
    t.ctx,
    { kind: "system", name: "bench" },
    {
      organizationId: scene.organization.id,
      userId,
      role: "peer_mentor",
      displayName: `Bench Mentor ${i}`,
    },
  );
  ids.push((await grant(t.ctx, scene, { userId })).id);
}
const time = async (url: string) => {
  const started = performance.now();
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
  return performance.now() - started;
};
const first: number[] = [];
for (const id of ids) first.push(await time(`${base}/v1/certifications/${id}/credential`));
const warm: number[] = [];
for (let i = 0; i < count; i++)
  warm.push(await time(`${base}/v1/certifications/${ids[i % ids.length]}/credential`));
const credential = (await (
  await fetch(`${base}/v1/certifications/${ids[0]}/credential`, { headers })
).json()) as {
  credentialStatus: { statusListCredential: string }[];
};
const listUrl = credential.credentialStatus[0]?.statusListCredential ?? "";
const lists: number[] = [];
for (let i = 0; i < 50; i++) lists.push(await time(listUrl));
const report = (name: string, unsorted: number[]) => {
  const values = [...unsorted].sort((a, b) => a - b);
  console.log(
    `${name}: n=${values.length} mean=${(values.reduce((a, b) => a + b, 0) / values.length).toFixed(1)} ms p50=${percentile(values, 50).toFixed(1)} ms p95=${percentile(values, 95).toFixed(1)} ms`,
  );
};
report("credential, first request (draws status indexes)", first);
report("credential, again", warm);
report("status list (signed once, then cached while its bits stay)", lists);
await t.close();
