import pino, { type Logger } from "pino";
import { type Config, ConfigError, loadConfig } from "../config.js";
import { DomainError } from "../domain/errors.js";
import { createLogger } from "../logger.js";
import { exitOnStartupError, openRuntime, type Runtime } from "../main.js";
import { DatabaseInUseError } from "../storage/database.js";
import { findOrganization, findOrganizationByPrefix } from "../storage/organizations.js";
import type { OrganizationRow } from "../storage/schema.js";

/** Exit codes of every command (sysexits.h where one fits). */
export const EXIT = {
  ok: 0,
  /** The command ran and the answer is no, or something failed. */
  failure: 1,
  /** Unknown command or option, missing argument. */
  usage: 2,
  /** The input data is bad: a CSV row, a certificate number, an unknown organization. */
  dataError: 65,
  /** The embedded database is held by another process. */
  inUse: 75,
  /** An environment variable has a bad value. */
  config: 78,
} as const;

/** A command's own "no" with the exit code it should end with. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "CommandFailure";
  }
}

const DATA_ERROR_CODES = new Set<string>([
  "invalid_request",
  "not_found",
  "certificate_number_format",
  "expires_at_after_issued_at",
  "one_active_cert_per_user_per_type",
  "organization_scoped_type",
  "course_registration_source_consistency",
  "issued_by_role_check",
  "revocation_requires_reason",
  "conflict",
]);

/**
 * Ends the process for an error of any command: configuration and lock problems the way `npm
 * start` reports them (78 and 75), the service's own refusals with their code, anything else 1.
 */
export function exitOnError(error: unknown): never {
  if (error instanceof ConfigError || error instanceof DatabaseInUseError) exitOnStartupError(error);
  if (error instanceof CommandFailure) {
    if (error.message !== "") process.stderr.write(`certsvc: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  if (error instanceof DomainError) {
    const fields = error.errors.map((field) => `\n  ${field.field}: ${field.message}`).join("");
    process.stderr.write(`certsvc: ${error.code}: ${error.message}${fields}\n`);
    process.exit(DATA_ERROR_CODES.has(error.code) ? EXIT.dataError : EXIT.failure);
  }
  process.stderr.write(`certsvc: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(EXIT.failure);
}

/** The configuration, or the clear message and exit 78. */
export function cliConfig(overrides: Partial<Config> = {}): Config {
  try {
    return { ...loadConfig(), ...overrides };
  } catch (error) {
    return exitOnError(error);
  }
}

/** Commands that print data keep stdout for it: their logs go to stderr, warnings and worse only. */
export function quietLogger(config: Config): Logger {
  const level = config.logLevel === "info" ? "warn" : config.logLevel;
  return createLogger(level, pino.destination(2));
}

/** Opens the database (migrating it) for one command, and closes it whatever happens. */
export async function withRuntime<T>(config: Config, work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(config, quietLogger(config));
  try {
    return await work(runtime);
  } finally {
    await runtime.database.close();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `--org` takes an organization's prefix (NHF) or id. */
export async function resolveOrganization(runtime: Runtime, given: string): Promise<OrganizationRow> {
  const db = runtime.database.db;
  const organization = UUID.test(given)
    ? await findOrganization(db, given.toLowerCase())
    : await findOrganizationByPrefix(db, given.trim().toUpperCase());
  if (!organization) throw new CommandFailure(`no organization with prefix or id "${given}"`, EXIT.dataError);
  return organization;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Prints `data` as JSON with --json, else the text. */
export function output(json: boolean, data: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text()}\n`);
}
