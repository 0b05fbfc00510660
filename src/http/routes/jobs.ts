import { Type } from "@sinclair/typebox";
import { listDeadJobs, retryDeadJob } from "../../services/admin-jobs.js";
import { listBadges } from "../../services/list-badges.js";
import { runExpirySweep } from "../../services/run-expiry-sweep.js";
import { type App, principalOf, type ServerDeps } from "../app.js";
import { UserParams, Uuid } from "../schemas/common.js";
import { problems } from "../schemas/problem.js";

const Count = (description: string) => Type.Integer({ minimum: 0, description });

const SweepCountsSchema = Type.Object(
  {
    expired: Count("Certifications whose persisted status became expired"),
    expiring_soon: Count("Certifications whose persisted status became expiring_soon"),
    back_to_active: Count("expiring_soon rows put back to active because their window shrank"),
    notifications_enqueued: Count("certification.expiring_soon reminders dispatched"),
    batches: Count("Batches the sweep ran in"),
    duration_ms: Count("How long the sweep took"),
  },
  { description: "What one expiry sweep changed" },
);

const DeadJobSchema = Type.Object(
  {
    id: Uuid("Job id"),
    queue: Type.String({ description: "Queue, e.g. notification or badge-evaluation" }),
    payload: Type.Unknown({ description: "What the job was asked to do" }),
    attempts: Type.Integer({ description: "Attempts made" }),
    max_attempts: Type.Integer({ description: "Attempts allowed before it was dead-lettered" }),
    last_error: Type.Union([Type.String(), Type.Null()], { description: "The last failure, if any" }),
    created_at: Type.String({ format: "date-time", description: "When it was enqueued" }),
    failed_at: Type.String({ format: "date-time", description: "When it was dead-lettered" }),
  },
  { description: "A job that ran out of attempts" },
);

const BadgeSchema = Type.Object(
  {
    badge: Type.String({ description: "Badge, e.g. first_certification" }),
    certification_id: Type.Union([Type.String(), Type.Null()], {
      description: "The certification that earned it, if one did",
    }),
    awarded_at: Type.String({ format: "date-time", description: "When it was awarded" }),
  },
  { description: "A badge a user holds" },
);

/** Badges, and the operators' handles on background work (CONTRACT §4 "Also", §5). */
export function jobRoutes(app: App, deps: ServerDeps): void {
  const { ctx } = deps;

  app.get(
    "/v1/users/:userId/badges",
    {
      schema: {
        tags: ["badges"],
        operationId: "listUserBadges",
        summary: "A user's badges",
        description:
          "The user, staff of one of the user's organizations, global admins and services; anyone else is told the user does not exist.",
        params: UserParams,
        response: {
          200: Type.Object({ items: Type.Array(BadgeSchema, { description: "Badges, oldest first" }) }),
          ...problems(400, 401, 404),
        },
      },
    },
    async (request) => listBadges(ctx, principalOf(request), request.params.userId.toLowerCase()),
  );

  app.post(
    "/v1/admin/jobs/expiry-sweep",
    {
      schema: {
        tags: ["operations"],
        operationId: "runExpirySweep",
        summary: "Run the expiry sweep now",
        description:
          "Global admins. Runs one expiry sweep at once (as the schedule does) and returns its counts. Safe beside a running worker.",
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: { 200: SweepCountsSchema, ...problems(400, 401, 403) },
      },
    },
    async (request) =>
      runExpirySweep(ctx, principalOf(request), {
        ...(deps.notifyMaxAttempts !== undefined ? { notifyMaxAttempts: deps.notifyMaxAttempts } : {}),
      }),
  );

  app.get(
    "/v1/admin/jobs/dead",
    {
      schema: {
        tags: ["operations"],
        operationId: "listDeadJobs",
        summary: "Dead-lettered jobs",
        description:
          "Global admins. Jobs that ran out of attempts (e.g. a notification the webhook never took), newest first.",
        querystring: Type.Object(
          {
            queue: Type.Optional(
              Type.String({ minLength: 1, maxLength: 100, description: "Only this queue" }),
            ),
            limit: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 200, default: 50, description: "Page size, 1–200" }),
            ),
            before_id: Type.Optional(
              Uuid("Only jobs older than this one (the last id of the previous page)"),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(DeadJobSchema, { description: "Newest first" }) }),
          ...problems(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { queue, limit, before_id: beforeId } = request.query;
      return listDeadJobs(ctx, principalOf(request), {
        ...(queue !== undefined ? { queue } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(beforeId !== undefined ? { beforeId: beforeId.toLowerCase() } : {}),
      });
    },
  );

  app.post(
    "/v1/admin/jobs/:id/retry",
    {
      schema: {
        tags: ["operations"],
        operationId: "retryDeadJob",
        summary: "Retry a dead job",
        description:
          "Global admins. Puts a dead-lettered job back in its queue with a fresh set of attempts; 404 unless the job is dead.",
        params: Type.Object({ id: Uuid("Job id") }),
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: {
          200: Type.Object(
            {
              id: Uuid("Job id"),
              state: Type.Literal("pending", { description: "Queued again" }),
            },
            { description: "Queued again" },
          ),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const id = request.params.id.toLowerCase();
      await retryDeadJob(ctx, principalOf(request), id);
      return reply.code(200).send({ id, state: "pending" as const });
    },
  );
}
