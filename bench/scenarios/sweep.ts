/**
 * The expiry sweep at a clock moved a day (daily) or a year (backlog) ahead, against one raw
 * set-based UPDATE of the same rows to the same states. Both run in the host; the persisted
 * statuses are put back to the real clock's after each.
 */
import { systemPrincipal } from "../../src/domain/principal.js";
import { runExpirySweep } from "../../src/services/run-expiry-sweep.js";
import { DAY, type Explained, type Host } from "../fixtures.js";
import { batchTimer, round } from "../measure.js";
import type { SweepKind, SweepResult } from "../protocol.js";
import { megabytes, row } from "../report.js";
import type { Scenario } from "../runner.js";
import { WARNING_DAYS_SQL } from "../sql.js";

function sweepScenario(kind: SweepKind): Scenario {
  const name = `sweep_${kind}`;
  return {
    name,
    async measure(bench) {
      const result = await bench.profiled(name, () => bench.host.call<SweepResult>("sweep", { kind }));
      const { service, raw, counts, memory } = result;
      bench.record(name, "raw", raw);
      bench.record(name, "service", service);
      bench.report.rows.push(row(name, service, undefined, raw));
      bench.report.notes.push(
        `${name}: service ${service.count} rows in ${round(service.seconds, 2)} s ` +
          `(${counts.batches} batches; expired ${counts.expired}, expiring_soon ${counts.expiring_soon}, ` +
          `reminders ${counts.notifications_enqueued}); raw UPDATE ${raw.count} rows in ${round(raw.seconds, 2)} s; ` +
          `time ratio ${round(service.seconds / Math.max(raw.seconds, 1e-9), 2)}× raw; ` +
          `heap ${megabytes(memory.heapBefore)} → peak ${megabytes(memory.heapPeak)} MB`,
      );
    },
  };
}

export const sweepDaily = sweepScenario("daily");
export const sweepBacklog = sweepScenario("backlog");

// The due condition and new state of the sweep, at a given clock, for the raw set-based UPDATE.
const WINDOW = `make_interval(days => coalesce(${WARNING_DAYS_SQL}, 30))`;
const RAW_SWEEP_SQL = `update certifications c set
    status = case when c.expires_at <= $1 then 'expired'
                  when c.expires_at <= $1::timestamptz + ${WINDOW} then 'expiring_soon'
                  else 'active' end::certification_status,
    expiry_warning_sent_at = case
      when c.expires_at > $1 and c.expiry_warning_sent_at is null
           and c.expires_at <= $1::timestamptz + ${WINDOW} then $1 else c.expiry_warning_sent_at end
  from certification_types t
  where t.id = c.certification_type_id
    and c.status not in ('expired', 'revoked') and c.expires_at is not null and c.revoked_at is null
    and (c.expires_at <= $1
      or (c.expires_at <= $1::timestamptz + ${WINDOW}
          and (c.status = 'active' or c.expiry_warning_sent_at is null))
      or (c.status = 'expiring_soon' and c.expires_at > $1::timestamptz + ${WINDOW}))`;

/**
 * Puts the persisted statuses back to what they are at the real clock (those in their window
 * with their reminder sent), undoing a sweep run at a clock moved forward.
 */
const NORMALIZE_SQL = `update certifications c set status = n.status, expiry_warning_sent_at = n.warned
  from (
    select c.id,
      case when c.expires_at <= $1 then 'expired'
           when c.expires_at <= $1::timestamptz + ${WINDOW} then 'expiring_soon'
           else 'active' end::certification_status as status,
      case when c.expires_at <= $1 then c.expiry_warning_sent_at
           when c.expires_at <= $1::timestamptz + ${WINDOW} then coalesce(c.expiry_warning_sent_at, $1)
           else null end as warned
    from certifications c join certification_types t on t.id = c.certification_type_id
    where c.revoked_at is null and c.expires_at is not null and c.expires_at > $1::timestamptz - interval '400 days'
  ) n
  where c.id = n.id
    and (c.status is distinct from n.status or c.expiry_warning_sent_at is distinct from n.warned)`;

async function normalize(host: Host, now: Date, mark: Date | null) {
  await host.runner.transaction(async (query) => {
    await query("set local session_replication_role = replica");
    await query(NORMALIZE_SQL, [now]);
    if (mark) {
      await query("delete from audit_events where occurred_at >= $1", [mark]);
      await query("delete from jobs where created_at >= $1", [mark]);
    }
  });
  await host.runner.query("vacuum analyze certifications");
}

/** Host: the raw UPDATE, then the real sweep use case, each from the same persisted state. */
export async function runSweep(host: Host, args: { kind: SweepKind }): Promise<SweepResult> {
  const now = new Date();
  const clock = new Date(now.getTime() + (args.kind === "daily" ? DAY : 365 * DAY));
  const mark = new Date(now.getTime() - 1000);
  await normalize(host, now, null);

  const rawStarted = performance.now();
  const rawRows = await host.runner.transaction(async (query) => {
    const result = await query<{ n: number }>(
      `with u as (${RAW_SWEEP_SQL} returning 1) select count(*)::int as n from u`,
      [clock],
    );
    return result[0]?.n ?? 0;
  });
  const rawMs = performance.now() - rawStarted;
  await normalize(host, now, mark);

  const timer = batchTimer();
  const counts = await runExpirySweep({ ...host.runtime.ctx, clock: () => clock }, systemPrincipal("bench"), {
    onBatch: () => timer.batch(),
  });
  const { stats, memory } = timer.finish(counts.expired + counts.expiring_soon + counts.back_to_active);
  await normalize(host, now, mark);
  return {
    service: stats,
    raw: {
      ops_per_s: rawRows / (rawMs / 1000),
      p50_ms: rawMs,
      p99_ms: rawMs,
      count: rawRows,
      errors: 0,
      seconds: rawMs / 1000,
    },
    counts: { ...counts },
    memory,
  };
}

export const explainSweepBacklog: Explained = () => [RAW_SWEEP_SQL, [new Date(Date.now() + 365 * DAY)]];
