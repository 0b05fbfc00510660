import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../test/databases.js";
import { makeType } from "../../test/factories.js";
import {
  createHttpTestApp,
  type HttpTestApp,
  type HttpWorld,
  injectTransport,
  makeHttpWorld,
  type Transport,
} from "../../test/http.js";
import { expectProblem } from "../../test/problems.js";
import { evaluateBadges } from "../jobs/badges.js";
import { findMembership, findUser } from "../storage/users.js";

/**
 * Identity across tenants: a user belongs to the organization that created them. Another
 * organization's staff can neither enrol nor rename them, and once a global admin has made them
 * a member of a second organization, its staff see only what was earned there.
 */
describe.each(DATABASE_KINDS)("users, members and badges across organizations on %s", (kind) => {
  let t: HttpTestApp;
  let w: HttpWorld;
  let send: Transport;
  beforeAll(async () => {
    t = await createHttpTestApp(kind);
    w = await makeHttpWorld(t);
    send = injectTransport(t.app);
    await evaluateBadges(t.ctx.db, w.a.mentor.userId, t.clock.now());
  });
  afterAll(async () => t.close());

  const putMember = (
    organizationId: string,
    userId: string,
    token: string,
    displayName: string,
    role = "peer_mentor",
  ) =>
    send({
      method: "PUT",
      url: `/v1/organizations/${organizationId}/members/${userId}`,
      token,
      body: { role, display_name: displayName },
    });

  it.each([
    ["B's org admin", "adminB", "Mari Mentor"],
    ["B's org admin, renaming", "adminB", "Someone Else"],
    ["B's coordinator", "coordinatorB", "Mari Mentor"],
  ] as const)(
    "%s cannot enrol A's member in B: not_found, and nothing changes",
    async (_who, token, name) => {
      const user = w.a.mentor.userId;
      const before = await findUser(t.ctx.db, user);
      const answer = await putMember(w.b.organization.id, user, w.tokens[token], name);
      // A coordinator may be refused for the role before the user is looked at (403), never let in.
      expect(answer.status).toBe(token === "coordinatorB" && answer.status === 403 ? 403 : 404);
      expect(await findMembership(t.ctx.db, w.b.organization.id, user)).toBeUndefined();
      expect((await findUser(t.ctx.db, user))?.display_name).toBe(before?.display_name);
      const events = await t.ctx.db
        .selectFrom("audit_events")
        .select("id")
        .where("entity_id", "=", user)
        .where("organization_id", "=", w.b.organization.id)
        .execute();
      expect(events).toEqual([]);
    },
  );

  it("B's import cannot enrol or rename A's member either", async () => {
    const user = w.a.mentor.userId;
    const answer = await send({
      method: "POST",
      url: `/v1/organizations/${w.b.organization.id}/certifications/import`,
      token: w.tokens.adminB,
      payload: `user_id,display_name,certification_type_id\n${user},Evil Rename,${w.b.type.id}\n`,
      headers: { "content-type": "text/csv" },
    });
    expect(answer.status).toBe(400);
    expect(await findMembership(t.ctx.db, w.b.organization.id, user)).toBeUndefined();
    expect((await findUser(t.ctx.db, user))?.display_name).toBe("Mari Mentor");
  });

  it("A's staff create, rename and re-role their own users", async () => {
    const user = randomUUID();
    expect((await putMember(w.a.organization.id, user, w.tokens.adminA, "Ola Nordmann")).status).toBe(201);
    expect((await findUser(t.ctx.db, user))?.home_organization_id).toBe(w.a.organization.id);
    const renamed = await putMember(w.a.organization.id, user, w.tokens.adminA, "Ola Nordmann-Hansen");
    expect(renamed.status).toBe(200);
    expect((renamed.body as { display_name: string }).display_name).toBe("Ola Nordmann-Hansen");
    // B cannot take a user A created a moment ago.
    expectProblem(
      await putMember(w.b.organization.id, user, w.tokens.adminB, "Ola Nordmann-Hansen"),
      404,
      "not_found",
    );
  });

  describe("a user a global admin made a member of both", () => {
    let user: string;
    beforeAll(async () => {
      user = w.a.mentor.userId;
      const enrolled = await putMember(w.b.organization.id, user, w.tokens.globalAdmin, "Mari Mentor");
      expect(enrolled.status).toBe(201);
    });

    it("B's admin changes the role in B but cannot rename", async () => {
      expect(
        (await putMember(w.b.organization.id, user, w.tokens.adminB, "Mari Mentor", "coordinator")).status,
      ).toBe(200);
      expectProblem(
        await putMember(w.b.organization.id, user, w.tokens.adminB, "Renamed In B"),
        403,
        "forbidden",
      );
      expect((await findUser(t.ctx.db, user))?.display_name).toBe("Mari Mentor");
      expect((await putMember(w.b.organization.id, user, w.tokens.adminB, "Mari Mentor")).status).toBe(200);
    });

    it("B's staff do not see the badge earned in A; A's staff and the holder do", async () => {
      const badges = (token: string) => send({ method: "GET", url: `/v1/users/${user}/badges`, token });
      const inB = await badges(w.tokens.coordinatorB);
      expect(inB.status).toBe(200);
      expect(inB.text).not.toContain(w.certification.id);
      expect((inB.body as { items: unknown[] }).items).toEqual([]);
      for (const token of [w.tokens.coordinatorA, w.tokens.mentorA, w.tokens.globalAdmin]) {
        const seen = await badges(token);
        expect(seen.text).toContain(w.certification.id);
      }
    });

    it("B's staff see none of A's certifications of the user", async () => {
      const answer = await send({
        method: "GET",
        url: `/v1/users/${user}/certifications`,
        token: w.tokens.coordinatorB,
      });
      expect(answer.status).toBe(200);
      expect(answer.text).not.toContain(w.certification.id);
      expect(answer.text).not.toContain(w.certification.certificate_number);
      expectProblem(
        await send({
          method: "GET",
          url: `/v1/certifications/${w.certification.id}`,
          token: w.tokens.coordinatorB,
        }),
        404,
        "not_found",
      );
    });

    it("granting a global type in B refuses without telling what A holds", async () => {
      const globalType = await makeType(t.ctx, null);
      const inA = await send({
        method: "POST",
        url: `/v1/organizations/${w.a.organization.id}/certifications`,
        token: w.tokens.coordinatorA,
        body: { user_id: user, certification_type_id: globalType.id },
      });
      expect(inA.status).toBe(201);
      const held = inA.body as { id: string; certificate_number: string };
      const inB = await send({
        method: "POST",
        url: `/v1/organizations/${w.b.organization.id}/certifications`,
        token: w.tokens.coordinatorB,
        body: { user_id: user, certification_type_id: globalType.id },
      });
      expectProblem(inB, 409, "one_active_cert_per_user_per_type");
      for (const secret of [held.id, held.certificate_number, w.a.organization.id, w.a.organization.prefix]) {
        expect(inB.text).not.toContain(secret);
        expect(JSON.stringify(inB.headers)).not.toContain(secret);
      }
    });
  });

  it("a type of another organization answers exactly as an unknown type", async () => {
    const grantWith = (typeId: string) =>
      send({
        method: "POST",
        url: `/v1/organizations/${w.a.organization.id}/certifications`,
        token: w.tokens.coordinatorA,
        body: { user_id: w.otherMentor.userId, certification_type_id: typeId },
      });
    const foreign = expectProblem(await grantWith(w.b.type.id), 422, "organization_scoped_type");
    const unknown = expectProblem(await grantWith(randomUUID()), 422, "organization_scoped_type");
    expect({ ...unknown, instance: undefined, request_id: undefined }).toEqual({
      ...foreign,
      instance: undefined,
      request_id: undefined,
    });
  });
});
