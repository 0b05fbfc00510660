import { type Command, InvalidArgumentError, Option } from "commander";
import type { Config } from "../config.js";
import { DomainError } from "../domain/errors.js";
import { signToken } from "../http/auth.js";
import { resolveJwtSecret } from "../main.js";
import { addGlobalAdmin } from "../services/principals.js";
import { inspectCertificate } from "../services/verify-certificate.js";
import { CommandFailure, cliConfig, EXIT, exitOnError, isUuid, output, withRuntime } from "./context.js";
import { DEMO_PEOPLE, DEMO_SERVICE, seedDemo } from "./demo.js";

const SERVICE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

const ttlArgument = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("expected seconds, a positive whole number");
  return Number(value);
};

/** The signing secret: CERTSVC_JWT_SECRET, else the development secret in the data directory. */
function signingSecret(config: Config): string {
  const { secret } = resolveJwtSecret(config);
  if (secret === null) {
    throw new CommandFailure(
      "tokens are verified with CERTSVC_JWKS_URL here; set CERTSVC_JWT_SECRET to sign HS256 tokens",
      EXIT.config,
    );
  }
  return secret;
}

const sign = (config: Config, secret: string, subject: string, ttlSeconds: number) =>
  signToken(secret, subject, { ttlSeconds, issuer: config.jwtIssuer, audience: config.jwtAudience });

/** A lifetime the server would refuse is refused here, before a useless token is printed. */
function checkTtl(config: Config, ttl: number, service: boolean): void {
  const max = service ? config.serviceJwtMaxLifetimeSeconds : config.jwtMaxLifetimeSeconds;
  if (ttl > max) {
    const variable = service
      ? "CERTSVC_SERVICE_JWT_MAX_LIFETIME_SECONDS"
      : "CERTSVC_JWT_MAX_LIFETIME_SECONDS";
    throw new CommandFailure(`--ttl ${ttl} is longer than the ${max} s ${variable} allows`, EXIT.usage);
  }
}

export function registerAdminCommands(program: Command): void {
  program
    .command("token")
    .description(
      "Sign a token for a user or a service, with CERTSVC_JWT_SECRET or the development secret in the data " +
        "directory (the same the server uses). Needs no database.",
    )
    .addOption(
      new Option("--user <user-id>", "the user's id (roles come from the membership table)").conflicts(
        "service",
      ),
    )
    .option("--service <name>", "a service token (sub service:<name>), e.g. course-module")
    .addOption(new Option("--ttl <seconds>", "lifetime in seconds").argParser(ttlArgument).default(3600))
    .option("--json", "print JSON", false)
    .action(async (options: { user?: string; service?: string; ttl: number; json: boolean }) => {
      try {
        if (options.user === undefined && options.service === undefined)
          throw new CommandFailure("give --user <user-id> or --service <name>", EXIT.usage);
        if (options.user !== undefined && !isUuid(options.user))
          throw new CommandFailure("--user expects a user id (UUID)", EXIT.usage);
        if (options.service !== undefined && !SERVICE_NAME.test(options.service))
          throw new CommandFailure(
            "--service expects a name of letters, digits, '.', '_' and '-'",
            EXIT.usage,
          );
        const config = cliConfig();
        checkTtl(config, options.ttl, options.user === undefined);
        const subject =
          options.user !== undefined ? options.user.toLowerCase() : `service:${options.service}`;
        const token = await sign(config, signingSecret(config), subject, options.ttl);
        const expiresAt = new Date(Date.now() + options.ttl * 1000).toISOString();
        output(options.json, { token, sub: subject, expires_at: expiresAt }, () => token);
      } catch (error) {
        exitOnError(error);
      }
    });

  const admins = program.command("admins").description("Manage global admins");
  admins
    .command("add")
    .description("Make a user a global admin (creating the user if new)")
    .argument("<user-id>", "the user's id (UUID)")
    .option("--name <display-name>", "display name for a new user", "Global admin")
    .option("--json", "print JSON", false)
    .action(async (userId: string, options: { name: string; json: boolean }) => {
      try {
        if (!isUuid(userId)) throw new CommandFailure("<user-id> must be a UUID", EXIT.usage);
        const config = cliConfig();
        const result = await withRuntime(config, (runtime) =>
          addGlobalAdmin(runtime.ctx, userId.toLowerCase(), options.name),
        );
        output(
          options.json,
          result,
          () =>
            `${result.display_name} (${result.user_id}) is a global admin${result.created ? " (new user)" : ""}.`,
        );
      } catch (error) {
        exitOnError(error);
      }
    });

  program
    .command("verify")
    .description(
      "Verify a certificate number, like the public page. Exit 0 valid, 1 not valid or unknown, 65 malformed",
    )
    .argument("<number>", "certificate number, e.g. NHF-2025-00312")
    .option("--name <full-name>", "also check the holder's name")
    .option("--json", "print JSON", false)
    .action(async (number: string, options: { name?: string; json: boolean }) => {
      try {
        const config = cliConfig();
        await withRuntime(config, async (runtime) => {
          let verification: Awaited<ReturnType<typeof inspectCertificate>>;
          try {
            verification = await inspectCertificate(runtime.ctx, number.trim().toUpperCase(), options.name);
          } catch (error) {
            if (error instanceof DomainError && error.code === "not_found") {
              output(
                options.json,
                { certificate_number: number, valid: false, status: "unknown" },
                () => `${number}: unknown certificate number`,
              );
              throw new CommandFailure("", EXIT.failure);
            }
            throw error;
          }
          output(options.json, verification, () =>
            [
              `${verification.certificate_number}: ${verification.valid ? "VALID" : "NOT VALID"} (${verification.status})`,
              `  ${verification.certification_type.name}, ${verification.organization.name}`,
              `  holder ${verification.holder_initials}, issued ${verification.issued_at.slice(0, 10)}, ` +
                `expires ${verification.expires_at?.slice(0, 10) ?? "never"}`,
              ...(verification.name_matches !== undefined
                ? [`  name ${verification.name_matches ? "matches" : "does not match"}`]
                : []),
            ].join("\n"),
          );
          if (!verification.valid) throw new CommandFailure("", EXIT.failure);
        });
      } catch (error) {
        exitOnError(error);
      }
    });

  program
    .command("demo")
    .description(
      "Fill the database with sample data to explore: NHF and HLF, their staff, types, about 200 peer mentors " +
        "with certifications in every status; prints tokens and links. Run again, it only prints them again.",
    )
    .addOption(
      new Option(
        "--ttl <seconds>",
        "lifetime of the printed tokens (default: the longest CERTSVC_JWT_MAX_LIFETIME_SECONDS allows)",
      ).argParser(ttlArgument),
    )
    .option("--json", "print JSON", false)
    .action(async (cliOptions: { ttl?: number; json: boolean }) => {
      try {
        const config = cliConfig();
        const options = { ...cliOptions, ttl: cliOptions.ttl ?? config.jwtMaxLifetimeSeconds };
        checkTtl(config, options.ttl, false);
        const secret = signingSecret(config);
        const summary = await withRuntime(config, (runtime) =>
          seedDemo(runtime.ctx, (done, total) => {
            if (process.stderr.isTTY && !options.json && (done % 10 === 0 || done === total)) {
              process.stderr.write(`\rcreating demo data: ${done}/${total} mentors`);
              if (done === total) process.stderr.write("\n");
            }
          }),
        );
        const tokenFor = (subject: string) => sign(config, secret, subject, options.ttl);
        const base = config.publicUrl;
        const tokens = {
          coordinator: await tokenFor(DEMO_PEOPLE.nhfCoordinator.userId),
          org_admin: await tokenFor(DEMO_PEOPLE.nhfAdmin.userId),
          mentor: await tokenFor(DEMO_PEOPLE.nhfMentor.userId),
          global_admin: await tokenFor(DEMO_PEOPLE.globalAdmin.userId),
          hlf_coordinator: await tokenFor(DEMO_PEOPLE.hlfCoordinator.userId),
          service: await tokenFor(`service:${DEMO_SERVICE}`),
        };
        const links = {
          coordinator: `${base}/app#token=${tokens.coordinator}`,
          mentor: `${base}/app#token=${tokens.mentor}`,
          global_admin: `${base}/app#token=${tokens.global_admin}`,
          verify_valid: summary.validNumber
            ? `${base}/verify/${summary.validNumber}?code=${summary.validCode}`
            : null,
          verify_revoked: summary.revokedNumber
            ? `${base}/verify/${summary.revokedNumber}?code=${summary.revokedCode}`
            : null,
          docs: `${base}/docs`,
        };
        const days = Math.round((options.ttl / 86_400) * 10) / 10;
        output(options.json, { ...summary, people: DEMO_PEOPLE, tokens, links }, () =>
          [
            summary.created
              ? `Demo data created: ${summary.organizations.map((o) => `${o.name} (${o.prefix})`).join(" and ")}, ` +
                `${summary.mentors} peer mentors, ${summary.certifications} certifications.`
              : `Demo data exists already (${summary.mentors} peer mentors, ${summary.certifications} certifications); here are the tokens again.`,
            "",
            config.database.kind === "pglite"
              ? "Start the service:  npm start"
              : "Start the service:  npm run certsvc -- serve --with-worker",
            "",
            `Sign in (tokens valid ${days} days):`,
            `  Coordinator ${DEMO_PEOPLE.nhfCoordinator.name} (NHF):  ${links.coordinator}`,
            `  Peer mentor ${DEMO_PEOPLE.nhfMentor.name} (NHF):       ${links.mentor}`,
            `  Global admin ${DEMO_PEOPLE.globalAdmin.name}:      ${links.global_admin}`,
            "",
            "Public verification:",
            `  a valid certificate:   ${links.verify_valid ?? "(none)"}`,
            `  a revoked certificate: ${links.verify_revoked ?? "(none)"}`,
            "",
            `API docs: ${links.docs}`,
            "",
            "Tokens for the API (Authorization: Bearer <token>):",
            `  coordinator NHF   ${tokens.coordinator}`,
            `  org admin NHF     ${tokens.org_admin}`,
            `  peer mentor NHF   ${tokens.mentor}`,
            `  coordinator HLF   ${tokens.hlf_coordinator}`,
            `  global admin      ${tokens.global_admin}`,
            `  service ${DEMO_SERVICE} ${tokens.service}`,
            "",
            `Try: curl -H "Authorization: Bearer ${tokens.coordinator.slice(0, 12)}…" ${base}/v1/me`,
          ].join("\n"),
        );
      } catch (error) {
        exitOnError(error);
      }
    });
}
