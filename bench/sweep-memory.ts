/**
 * The expiry sweep over 100 000 due certifications, in bounded memory. Run by hand:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/sweep-memory.ts
 *   npx tsx bench/sweep-memory.ts              (embedded PGlite, in memory: its database is in RSS too)
 *   COUNT=200000 BATCH=2000 npx tsx bench/sweep-memory.ts
 *
 * Half the certifications have passed their expiry, half have entered their warning window, all
 * still persisted as `active`. Prints the sweep's counts and the process's resident memory: before
 * the sweep, the peak sampled while it ran, and the kernel's peak for the whole process.
 */

import { runExpirySweep } from "../src/services/run-expiry-sweep.js";
import { insertCertifications } from "../test/bulk.js";
import { createTestDatabase } from "../test/databases.js";
import { makeScene, SYSTEM, serviceContext, TestClock } from "../test/factories.js";

const DAY = 86_400_000;
const MB = 1024 * 1024;
const count = Number(process.env.COUNT ?? 100_000);
const batchSize = Number(process.env.BATCH ?? 2000);
const kind = process.env.DATABASE_URL ? "postgres" : "pglite";

const testDb = await createTestDatabase(kind);
try {
  const ctx = serviceContext(testDb.database, new TestClock(new Date()));
  const scene = await makeScene(ctx);
  const now = ctx.clock();
  const chunk = 10_000;
  for (let start = 0; start < count; start += chunk) {
    const expired = start < count / 2;
    await insertCertifications(ctx.db, {
      organizationId: scene.organization.id,
      typeId: scene.type.id,
      prefix: scene.organization.prefix,
      count: Math.min(chunk, count - start),
      start,
      issuedAt: new Date(now.getTime() - 700 * DAY),
      expiresAt: new Date(now.getTime() + (expired ? -1 : 10) * DAY),
    });
  }
  global.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  }, 20);
  const counts = await runExpirySweep(ctx, SYSTEM, {
    batchSize,
    onBatch: () => {
      const usage = process.memoryUsage();
      peakRss = Math.max(peakRss, usage.rss);
      peakHeap = Math.max(peakHeap, usage.heapUsed);
    },
  });
  clearInterval(sampler);
  const report = {
    database: kind,
    certifications: count,
    batch_size: batchSize,
    counts,
    rss_before_sweep_mb: +(before.rss / MB).toFixed(1),
    rss_peak_during_sweep_mb: +(peakRss / MB).toFixed(1),
    heap_used_before_mb: +(before.heapUsed / MB).toFixed(1),
    heap_used_peak_during_sweep_mb: +(peakHeap / MB).toFixed(1),
    process_max_rss_mb: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  await testDb.drop();
}
