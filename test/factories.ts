import { randomUUID } from "node:crypto";
import type { Principal, Role } from "../src/domain/principal.js";
import { systemPrincipal } from "../src/domain/principal.js";
import type { ServiceContext } from "../src/services/context.js";
import { createCertificationType } from "../src/services/create-certification-type.js";
import { createOrganization } from "../src/services/create-organization.js";
import { grantCertification } from "../src/services/issue-certification.js";
import { loadUserPrincipal } from "../src/services/principals.js";
import { putMember } from "../src/services/put-member.js";
import { recordCourseRegistration } from "../src/services/record-course-registration.js";
import type { Database } from "../src/storage/database.js";

export const SYSTEM = systemPrincipal("test");

/** The key-encryption key of every test context (32 bytes). */
export const TEST_KEY_ENCRYPTION_KEY = Buffer.alloc(32, 7);

/** A clock the test moves by hand; time never passes by sleeping. */
export class TestClock {
  constructor(private current = new Date("2026-03-15T10:00:00.000Z")) {}
  now = (): Date => new Date(this.current.getTime());
  set(instant: Date | string): void {
    this.current = new Date(instant);
  }
  advanceDays(days: number): void {
    this.current = new Date(this.current.getTime() + days * 86_400_000);
  }
}

export function serviceContext(
  database: Database,
  clock = new TestClock(),
  warningDays = 30,
): ServiceContext & { clock: () => Date; testClock: TestClock } {
  return {
    db: database.db,
    clock: clock.now,
    warningDays,
    testClock: clock,
    credentials: { keyEncryptionKey: TEST_KEY_ENCRYPTION_KEY, publicUrl: "http://127.0.0.1:3000" },
  };
}

let prefixCounter = 0;
/** A prefix unique within the test process: a letter, then base-36 digits. */
export function uniquePrefix(): string {
  prefixCounter += 1;
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  return `${letters[process.pid % 26]}${(Date.now() % 1_000_000).toString(36).toUpperCase()}${prefixCounter.toString(36).toUpperCase()}`.slice(
    0,
    10,
  );
}

export async function makeOrganization(
  ctx: ServiceContext,
  overrides: { name?: string; prefix?: string; timeZone?: string } = {},
) {
  return createOrganization(ctx, SYSTEM, {
    name: overrides.name ?? `Organisation ${randomUUID().slice(0, 8)}`,
    prefix: overrides.prefix ?? uniquePrefix(),
    ...(overrides.timeZone ? { timeZone: overrides.timeZone } : {}),
  });
}

/** A member with a role; returns the principal as the service would resolve it from a token. */
export async function makeMember(
  ctx: ServiceContext,
  organizationId: string,
  role: Role,
  overrides: { userId?: string; displayName?: string } = {},
): Promise<{ userId: string; principal: Principal }> {
  const userId = overrides.userId ?? randomUUID();
  await putMember(ctx, SYSTEM, {
    organizationId,
    userId,
    role,
    displayName: overrides.displayName ?? `Mari ${role} ${userId.slice(0, 4)}`,
  });
  return { userId, principal: await loadUserPrincipal(ctx.db, userId) };
}

export async function makeGlobalAdmin(
  ctx: ServiceContext,
): Promise<{ userId: string; principal: Principal }> {
  const userId = randomUUID();
  await ctx.db
    .insertInto("users")
    .values({ id: userId, display_name: "Global Admin", is_global_admin: true })
    .execute();
  return { userId, principal: await loadUserPrincipal(ctx.db, userId) };
}

export async function makeType(
  ctx: ServiceContext,
  organizationId: string | null,
  overrides: { name?: string; validityMonths?: number | null; warningDays?: number } = {},
) {
  return createCertificationType(ctx, SYSTEM, {
    organizationId,
    name: overrides.name ?? `Type ${randomUUID().slice(0, 8)}`,
    validityMonths: overrides.validityMonths === undefined ? 24 : overrides.validityMonths,
    ...(overrides.warningDays !== undefined ? { warningDays: overrides.warningDays } : {}),
  });
}

export async function makeRegistration(
  ctx: ServiceContext,
  organizationId: string,
  userId: string,
  completedAt: Date | null = ctx.clock(),
) {
  const { registration } = await recordCourseRegistration(ctx, SYSTEM, {
    organizationId,
    userId,
    courseId: `course-${randomUUID().slice(0, 8)}`,
    completedAt,
  });
  return registration;
}

/** An organization with a coordinator, an org admin, a peer mentor and a type: the usual scene. */
export async function makeScene(ctx: ServiceContext, typeOverrides: Parameters<typeof makeType>[2] = {}) {
  const organization = await makeOrganization(ctx);
  const coordinator = await makeMember(ctx, organization.id, "coordinator");
  const admin = await makeMember(ctx, organization.id, "org_admin");
  const mentor = await makeMember(ctx, organization.id, "peer_mentor", { displayName: "Mari Mentor" });
  const type = await makeType(ctx, organization.id, typeOverrides);
  return { organization, coordinator, admin, mentor, type };
}

export async function grant(
  ctx: ServiceContext,
  scene: Awaited<ReturnType<typeof makeScene>>,
  overrides: Partial<Parameters<typeof grantCertification>[2]> = {},
) {
  const { certification } = await grantCertification(ctx, scene.coordinator.principal, {
    organizationId: scene.organization.id,
    userId: scene.mentor.userId,
    certificationTypeId: scene.type.id,
    ...overrides,
  });
  return certification;
}

/** The verification code of a certification, as shown (XXXX-XXXX). */
export async function verificationCodeOf(ctx: ServiceContext, certificationId: string): Promise<string> {
  const row = await ctx.db
    .selectFrom("certification_verification_codes")
    .select("code")
    .where("certification_id", "=", certificationId)
    .executeTakeFirstOrThrow();
  return `${row.code.slice(0, 4)}-${row.code.slice(4)}`;
}

/** The verification code of a certificate number, or a well-formed one for a number that has none. */
export async function verificationCodeOfNumber(
  ctx: ServiceContext,
  certificateNumber: string,
): Promise<string> {
  const row = await ctx.db
    .selectFrom("certifications as c")
    .innerJoin("certification_verification_codes as v", "v.certification_id", "c.id")
    .select("v.code")
    .where("c.certificate_number", "=", certificateNumber)
    .executeTakeFirst();
  const code = row?.code ?? "ABCD2345";
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
