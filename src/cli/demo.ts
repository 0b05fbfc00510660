import { systemPrincipal } from "../domain/principal.js";
import { formatVerificationCode } from "../domain/verification-code.js";
import { completeCourse } from "../services/complete-course.js";
import type { ServiceContext } from "../services/context.js";
import { createCertificationType } from "../services/create-certification-type.js";
import { createOrganization } from "../services/create-organization.js";
import { grantCertification } from "../services/issue-certification.js";
import { addGlobalAdmin, loadUserPrincipal } from "../services/principals.js";
import { putMember } from "../services/put-member.js";
import { recordCourseRegistration } from "../services/record-course-registration.js";
import { revokeCertification } from "../services/revoke-certification.js";
import type { Db } from "../storage/database.js";
import { findOrganizationByPrefix } from "../storage/organizations.js";

/**
 * Sample data to explore the service with (`certsvc demo`): two organizations, their staff, a
 * global type and types of their own, and about 200 peer mentors with certifications in every
 * status, many back-dated. Everything goes through the use cases, so it obeys every rule and
 * leaves an audit trail. The people who get tokens have fixed ids, so running it again finds
 * the data and only prints the tokens again.
 */

const id = (group: number, index: number) =>
  `00000000-0000-4000-8${group.toString(16).padStart(3, "0")}-${index.toString(16).padStart(12, "0")}`;

export const DEMO_PEOPLE = {
  globalAdmin: { userId: id(0, 1), name: "Gunnhild Global" },
  nhfCoordinator: { userId: id(1, 1), name: "Kari Koordinator" },
  nhfAdmin: { userId: id(1, 2), name: "Ola Organisasjon" },
  nhfMentor: { userId: id(1, 3), name: "Mari Mentor" },
  hlfCoordinator: { userId: id(2, 1), name: "Hanne Hørsel" },
  hlfAdmin: { userId: id(2, 2), name: "Per Prefiks" },
} as const;

export const DEMO_SERVICE = "course-module";

const ORGANIZATIONS = [
  {
    prefix: "NHF",
    name: "Norges Handikapforbund",
    coordinator: "nhfCoordinator",
    admin: "nhfAdmin",
    group: 1,
  },
  {
    prefix: "HLF",
    name: "Hørselshemmedes Landsforbund",
    coordinator: "hlfCoordinator",
    admin: "hlfAdmin",
    group: 2,
  },
] as const;

const FIRST = [
  "Anne",
  "Bjørn",
  "Camilla",
  "Dag",
  "Eli",
  "Frode",
  "Guro",
  "Håkon",
  "Ingrid",
  "Jon",
  "Kristin",
  "Lars",
  "Marit",
  "Nils",
  "Oda",
  "Pål",
  "Ragnhild",
  "Sindre",
  "Tone",
  "Øystein",
];
const LAST = [
  "Hansen",
  "Johansen",
  "Olsen",
  "Larsen",
  "Andersen",
  "Pedersen",
  "Nilsen",
  "Kristiansen",
  "Jensen",
  "Karlsen",
  "Berg",
  "Haugen",
  "Hagen",
  "Bakken",
  "Lie",
];

const MENTORS_PER_ORGANIZATION = 100;
const DAY = 86_400_000;

export interface DemoSummary {
  created: boolean;
  organizations: { id: string; prefix: string; name: string }[];
  mentors: number;
  certifications: number;
  /** A valid certificate and a revoked one, for the verification page. */
  validNumber: string | null;
  revokedNumber: string | null;
  /** The verification codes that go with the two numbers (XXXX-XXXX). */
  validCode: string | null;
  revokedCode: string | null;
}

const monthsBefore = (now: Date, months: number, days = 0) => {
  const date = new Date(now.getTime() - days * DAY);
  date.setUTCMonth(date.getUTCMonth() - months);
  return date;
};

/** Creates the demo data unless the NHF organization exists already. */
export async function seedDemo(
  ctx: ServiceContext,
  onProgress?: (done: number, total: number) => void,
): Promise<DemoSummary> {
  if (await findOrganizationByPrefix(ctx.db, "NHF")) return summarize(ctx.db, false);
  const system = systemPrincipal("demo");
  const now = ctx.clock();
  await addGlobalAdmin(ctx, DEMO_PEOPLE.globalAdmin.userId, DEMO_PEOPLE.globalAdmin.name);
  const globalType = await createCertificationType(ctx, system, {
    organizationId: null,
    name: "Digitalt likepersonsertifikat",
    validityMonths: 24,
  });
  const total = ORGANIZATIONS.length * MENTORS_PER_ORGANIZATION;
  let done = 0;
  for (const spec of ORGANIZATIONS) {
    const organization = await createOrganization(ctx, system, { name: spec.name, prefix: spec.prefix });
    const coordinator = DEMO_PEOPLE[spec.coordinator];
    const admin = DEMO_PEOPLE[spec.admin];
    await putMember(ctx, system, {
      organizationId: organization.id,
      userId: coordinator.userId,
      role: "coordinator",
      displayName: coordinator.name,
    });
    await putMember(ctx, system, {
      organizationId: organization.id,
      userId: admin.userId,
      role: "org_admin",
      displayName: admin.name,
    });
    const ownType = await createCertificationType(ctx, system, {
      organizationId: organization.id,
      name: spec.prefix === "HLF" ? "Adelsmerke" : "Likepersonkurs grunnkurs",
      validityMonths: spec.prefix === "HLF" ? null : 36,
    });
    const advanced = await createCertificationType(ctx, system, {
      organizationId: organization.id,
      name: "Likeperson fordypning",
      validityMonths: 12,
      warningDays: 45,
    });
    const staff = await loadUserPrincipal(ctx.db, coordinator.userId);
    const service = { kind: "service", name: DEMO_SERVICE } as const;

    for (let index = 0; index < MENTORS_PER_ORGANIZATION; index++) {
      const showcase = spec.prefix === "NHF" && index === 0;
      const userId = showcase ? DEMO_PEOPLE.nhfMentor.userId : id(spec.group + 8, index + 1);
      const displayName = showcase
        ? DEMO_PEOPLE.nhfMentor.name
        : `${FIRST[(index * 7 + spec.group) % FIRST.length]} ${LAST[(index * 3 + spec.group) % LAST.length]}`;
      await putMember(ctx, system, {
        organizationId: organization.id,
        userId,
        role: "peer_mentor",
        displayName,
      });
      const grant = (typeId: string, issuedAt: Date, notes?: string) =>
        grantCertification(ctx, staff, {
          organizationId: organization.id,
          userId,
          certificationTypeId: typeId,
          issuedAt,
          ...(notes ? { notes } : {}),
        }).then((issued) => issued.certification);

      // Every tenth mentor in each status; the showcase mentor has a live and an expired one.
      switch (showcase ? -1 : index % 10) {
        case -1:
          await grant(globalType.id, monthsBefore(now, 30), "Papirsertifikat fra 2023");
          await grant(globalType.id, monthsBefore(now, 2));
          await grant(ownType.id, monthsBefore(now, 14));
          break;
        case 0:
        case 1:
        case 2:
          await grant(globalType.id, monthsBefore(now, (index % 20) + 1, index % 17));
          if (index % 3 === 0) await grant(ownType.id, monthsBefore(now, 6, index % 11));
          break;
        case 3:
          // Expiring soon: issued just under 24 months ago.
          await grant(globalType.id, monthsBefore(now, 24, -((index % 20) + 3)));
          break;
        case 4:
          await grant(advanced.id, monthsBefore(now, 12, -((index % 30) + 5)));
          await grant(globalType.id, monthsBefore(now, 4));
          break;
        case 5:
        case 6:
          // Expired years ago, never renewed; some renewed by a new certificate.
          await grant(globalType.id, monthsBefore(now, 36, index));
          if (index % 10 === 6) await grant(globalType.id, monthsBefore(now, 9, index % 13));
          break;
        case 7: {
          const certification = await grant(ownType.id, monthsBefore(now, 8, index % 19));
          await revokeCertification(ctx, staff, certification.id, {
            reason: "Trakk seg fra likepersonarbeidet",
          });
          break;
        }
        case 8: {
          const { registration } = await recordCourseRegistration(ctx, staff, {
            organizationId: organization.id,
            userId,
            courseId: `${spec.prefix.toLowerCase()}-grunnkurs-${now.getUTCFullYear()}`,
            completedAt: new Date(now.getTime() - ((index % 20) + 1) * DAY),
          });
          await completeCourse(ctx, service, {
            organizationId: organization.id,
            courseRegistrationId: registration.id,
            certificationTypeId: ownType.id,
          });
          break;
        }
        default:
          // Registered for a course that has not finished: no certificate yet.
          await recordCourseRegistration(ctx, staff, {
            organizationId: organization.id,
            userId,
            courseId: `${spec.prefix.toLowerCase()}-grunnkurs-${now.getUTCFullYear() + 1}`,
            completedAt: null,
          });
      }
      done += 1;
      onProgress?.(done, total);
    }
  }
  return summarize(ctx.db, true);
}

async function summarize(db: Db, created: boolean): Promise<DemoSummary> {
  const organizations = await db
    .selectFrom("organizations")
    .select(["id", "prefix", "name"])
    .where("prefix", "in", ["NHF", "HLF"])
    .orderBy("prefix", "desc")
    .execute();
  const ids = organizations.map((organization) => organization.id);
  const none = ["00000000-0000-0000-0000-000000000000"];
  const mentors = await db
    .selectFrom("memberships")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("organization_id", "in", ids.length > 0 ? ids : none)
    .where("role", "=", "peer_mentor")
    .executeTakeFirst();
  const certifications = await db
    .selectFrom("certifications")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("organization_id", "in", ids.length > 0 ? ids : none)
    .executeTakeFirst();
  const valid = await db
    .selectFrom("certifications")
    .innerJoin("certification_verification_codes as v", "v.certification_id", "certifications.id")
    .select(["certificate_number", "v.code"])
    .where("user_id", "=", DEMO_PEOPLE.nhfMentor.userId)
    .where("revoked_at", "is", null)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", new Date())]))
    .orderBy("issued_at", "desc")
    .executeTakeFirst();
  const revoked = await db
    .selectFrom("certifications")
    .innerJoin("certification_verification_codes as v", "v.certification_id", "certifications.id")
    .select(["certificate_number", "v.code"])
    .where("organization_id", "in", ids.length > 0 ? ids : none)
    .where("revoked_at", "is not", null)
    .orderBy("certificate_number")
    .executeTakeFirst();
  return {
    created,
    organizations,
    mentors: Number(mentors?.n ?? 0),
    certifications: Number(certifications?.n ?? 0),
    validNumber: valid?.certificate_number ?? null,
    revokedNumber: revoked?.certificate_number ?? null,
    validCode: valid ? formatVerificationCode(valid.code) : null,
    revokedCode: revoked ? formatVerificationCode(revoked.code) : null,
  };
}

/**
 * Lines for `npm start` to print at start: on an empty database, how to get sample data.
 * (On the embedded database the demo needs it free, so the service has to be stopped first.)
 */
export async function startupHints(db: Db, embedded: boolean): Promise<string[]> {
  const any = await db.selectFrom("organizations").select("id").limit(1).executeTakeFirst();
  if (any) return [];
  return [
    "The database is empty. For sample organizations, mentors, certificates and ready-made tokens, " +
      (embedded ? "stop the service (Ctrl+C) and run: " : "run: ") +
      "npm run certsvc -- demo",
  ];
}
