import { DomainError } from "../../domain/errors.js";
import { liveAlready, planIssue } from "../../domain/issue-plan.js";
import { actorUserId, isGlobal, type Principal } from "../../domain/principal.js";
import { holdsLivePlace, type Status } from "../../domain/status.js";
import {
  findHeldRecords,
  findMemberIds,
  findPairRecords,
  findTypesById,
  findUsersOwnedElsewhere,
  type PairRecord,
} from "../../storage/certification-import.js";
import type { Tx } from "../../storage/database.js";
import type { CertificationTypeRow, OrganizationRow } from "../../storage/schema.js";
import { type CsvRecord, type ImportRow, parseRow, rowError, type TypeResolver } from "./csv-records.js";

/** A row that passed every check of its own and waits to be written with its batch. */
export interface AcceptedRow {
  record: CsvRecord;
  row: ImportRow;
  type: CertificationTypeRow;
  issuedAt: Date;
  expiresAt: Date | null;
  /** The status by its dates alone: what it is unless it was revoked. */
  datedStatus: Status;
  /** Not a member yet: becomes a peer mentor of the organization with the row. */
  joins: boolean;
  /** What an identical later row of the file would have as its key in `seen`. */
  repeatKey: string;
}

/** A row that is a certification already held: reported, never written twice. */
export interface HeldRow {
  line: number;
  /** The certification it repeats; null when it repeats an earlier line of the same file. */
  certificate_number: string | null;
  /** The earlier line of the file it repeats. */
  same_as_line: number | null;
}

export interface BatchPlan {
  accepted: AcceptedRow[];
  /** Held certifications of the accepted pairs stored as live past their date (expired first). */
  stale: { id: string }[];
  held: HeldRow[];
  /** The keys this batch added to `seen` (taken out again if its write is undone). */
  keys: string[];
}

/** What planning a batch needs besides its rows; `reject` records a bad row. */
export interface Planner {
  principal: Principal;
  organization: OrganizationRow;
  types: TypeResolver;
  warningDays: number;
  reject(record: CsvRecord, error: unknown): void;
}

const pairKey = (userId: string, typeId: string) => `${userId}/${typeId}`;
const unique = <T>(values: Iterable<T>) => [...new Set(values)];
const time = (value: Date | null) => (value === null ? null : value.getTime());

/**
 * The certification a row repeats, if any. A row with an issue date repeats one of the same
 * holder and type with the same issue and expiry dates, whatever has happened to it since (a
 * certificate revoked after the first run is not brought back by the second). A row without one
 * ("issued now") repeats a live one of the pair, with the same expiry if the row gives one.
 */
function repeated(
  held: readonly PairRecord[] | undefined,
  row: ImportRow,
  expiresAt: Date | null,
  now: Date,
): PairRecord | undefined {
  if (!held) return undefined;
  if (row.issuedAt !== undefined) {
    return held.find(
      (h) => time(h.issued_at) === time(row.issuedAt ?? null) && time(h.expires_at) === time(expiresAt),
    );
  }
  return held.find(
    (h) =>
      h.revoked_at === null &&
      (h.expires_at === null || h.expires_at.getTime() > now.getTime()) &&
      (row.expiresAt === undefined || time(h.expires_at) === time(expiresAt)),
  );
}

/**
 * Checks a batch of records by the rules of a manual grant (the same domain checks as
 * issueInTransaction; the table's constraints and triggers apply when it is written) and
 * against what is held: a row the organization already holds is set apart, not written again.
 */
export async function planBatch(
  planner: Planner,
  trx: Tx,
  records: readonly CsvRecord[],
  now: Date,
  /** Rows of earlier batches in this file, by `repeatKey`, with their line. */
  seen: Map<string, number>,
): Promise<BatchPlan> {
  const { organization, types, principal } = planner;
  const organizationId = organization.id;
  const parsed: { record: CsvRecord; row: ImportRow }[] = [];
  for (const record of records) {
    try {
      parsed.push({ record, row: parseRow(record.fields, types) });
    } catch (error) {
      planner.reject(record, error);
    }
  }
  const userIds = unique(parsed.map((p) => p.row.userId));
  const [otherTypes, members, ownedElsewhere] = await Promise.all([
    findTypesById(trx, unique(parsed.map((p) => p.row.typeId).filter((id) => !types.byId(id)))),
    findMemberIds(trx, organizationId, userIds),
    findUsersOwnedElsewhere(trx, organizationId, userIds),
  ]);
  const resolved = parsed.map((p) => ({
    ...p,
    type: types.byId(p.row.typeId) ?? otherTypes.get(p.row.typeId),
  }));
  const pairRecords = new Map<string, PairRecord[]>();
  const wanted = new Map<string, { userId: string; typeId: string }>();
  for (const { row, type } of resolved) {
    if (type) wanted.set(pairKey(row.userId, type.id), { userId: row.userId, typeId: type.id });
  }
  for (const record of await findPairRecords(trx, organizationId, [...wanted.values()])) {
    const k = pairKey(record.user_id, record.certification_type_id);
    pairRecords.set(k, [...(pairRecords.get(k) ?? []), record]);
  }

  const candidates: AcceptedRow[] = [];
  const held: HeldRow[] = [];
  const keys: string[] = [];
  const revoker = actorUserId(principal);
  for (const { record, row, type: found } of resolved) {
    try {
      const joins = !members.has(row.userId);
      // The grant's rules; one_active_cert_per_user_per_type is checked below, against the batch.
      const plan = planIssue(
        principal,
        {
          userId: row.userId,
          source: "manual_grant",
          registration: null,
          issuedAt: row.issuedAt,
          expiresAt: row.expiresAt,
        },
        {
          organization,
          type: found ?? null,
          // A named holder joins, unless another organization owns them (not this one's to enrol,
          // except by a global admin).
          holderIsMember:
            !joins || (row.displayName !== null && (!ownedElsewhere.has(row.userId) || isGlobal(principal))),
        },
        now,
        planner.warningDays,
      );
      const { issuedAt, expiresAt, status: datedStatus } = plan;
      const type = plan.type;
      const same = repeated(pairRecords.get(pairKey(row.userId, type.id)), row, expiresAt, now);
      if (same) {
        held.push({ line: record.line, certificate_number: same.certificate_number, same_as_line: null });
        continue;
      }
      const repeatKey = `${pairKey(row.userId, type.id)}/${row.issuedAt === undefined ? "now" : issuedAt.getTime()}/${time(expiresAt)}`;
      const earlier = seen.get(repeatKey);
      if (earlier !== undefined) {
        held.push({ line: record.line, certificate_number: null, same_as_line: earlier });
        continue;
      }
      if (type.retired_at !== null) throw new DomainError("conflict", "The certification type is retired");
      if (row.revokedAt !== null) {
        if (revoker === null) {
          throw new DomainError(
            "revocation_requires_reason",
            "A revoked certificate needs a user recorded as revoker: import as a coordinator or admin (certsvc import --as <user-id>)",
          );
        }
        if (row.revokedAt.getTime() < issuedAt.getTime() || row.revokedAt.getTime() > now.getTime() + 1000) {
          throw rowError("revoked_at", "must lie between issued_at and now");
        }
      }
      candidates.push({ record, row, type, issuedAt, expiresAt, datedStatus, joins, repeatKey });
      seen.set(repeatKey, record.line);
      keys.push(repeatKey);
    } catch (error) {
      planner.reject(record, error);
    }
  }

  // one_active_cert_per_user_per_type: against what is held (earlier batches included) and
  // against the rows above in the file. A row imported as revoked is not live and takes no place.
  const pairs = new Map(
    candidates.map((c) => [pairKey(c.row.userId, c.type.id), { userId: c.row.userId, typeId: c.type.id }]),
  );
  const live = await findHeldRecords(trx, [...pairs.values()], now);
  const liveKeys = new Set(
    live
      .filter((h) => h.expires_at === null || h.expires_at.getTime() > now.getTime())
      .map((h) => pairKey(h.user_id, h.certification_type_id)),
  );
  const accepted: AcceptedRow[] = [];
  for (const candidate of candidates) {
    const k = pairKey(candidate.row.userId, candidate.type.id);
    if (candidate.row.revokedAt === null && holdsLivePlace(candidate.datedStatus)) {
      if (liveKeys.has(k)) {
        seen.delete(candidate.repeatKey);
        planner.reject(candidate.record, liveAlready());
        continue;
      }
      liveKeys.add(k);
    }
    accepted.push(candidate);
  }
  const acceptedPairs = new Set(accepted.map((a) => pairKey(a.row.userId, a.type.id)));
  const stale = live.filter(
    (h) =>
      acceptedPairs.has(pairKey(h.user_id, h.certification_type_id)) &&
      holdsLivePlace(h.status) &&
      h.expires_at !== null &&
      h.expires_at.getTime() <= now.getTime(),
  );
  return { accepted, stale, held, keys };
}
