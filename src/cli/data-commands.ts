import { createReadStream, createWriteStream, statSync } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SingleBar } from "cli-progress";
import { type Command, InvalidArgumentError, Option } from "commander";
import { systemPrincipal } from "../domain/principal.js";
import { SOURCES, type Source, STATUSES, type Status } from "../domain/status.js";
import {
  certifiedMentorsReport,
  certifiedMentorsReportCsv,
  REPORT_DEFINITION,
} from "../services/certified-mentors-report.js";
import {
  EXPORT_ORDERS,
  type ExportOrder,
  exportCertificationsCsv,
} from "../services/export-certifications.js";
import { importCertificationsCsv } from "../services/import/import-certifications.js";
import { loadUserPrincipal } from "../services/principals.js";
import {
  CommandFailure,
  cliConfig,
  EXIT,
  exitOnError,
  isUuid,
  output,
  resolveOrganization,
  withRuntime,
} from "./context.js";

const instantArgument = (value: string): Date => {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError("expected an ISO 8601 date or instant");
  return date;
};

const positiveInteger = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("expected a positive whole number");
  return Number(value);
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerDataCommands(program: Command): void {
  program
    .command("import")
    .description(
      "Import existing (paper) certifications from a CSV file into one organization. Columns: user_id, " +
        "display_name (makes a new holder a peer mentor), certification_type (name or id) or certification_type_id, " +
        "issued_at, expires_at (blank: the type's validity; 'never': lifetime), notes, revoked_at, revocation_reason. " +
        "An export's file imports as is. Every row is checked by the issuing rules; if any row is bad nothing is " +
        "imported (exit 65) unless --skip-invalid.",
    )
    .argument("<file>", "CSV file with a header line; - reads standard input")
    .requiredOption("--org <prefix|id>", "the organization to import into")
    .option("--skip-invalid", "import the good rows and report the bad ones", false)
    .option(
      "--as <user-id>",
      "act as this coordinator or admin (recorded as issuer and revoker); default: the system",
    )
    .addOption(new Option("--batch-size <n>", "rows per batch").argParser(positiveInteger).default(500))
    .option("--json", "print the result as JSON", false)
    .addHelpText(
      "after",
      "\nExit codes: 0 imported (with --skip-invalid also when rows were skipped), 65 bad rows or file, 75 database in use, 78 bad configuration.",
    )
    .action(
      async (
        file: string,
        options: { org: string; skipInvalid: boolean; as?: string; batchSize: number; json: boolean },
      ) => {
        try {
          if (options.as !== undefined && !isUuid(options.as))
            throw new CommandFailure("--as expects a user id (UUID)", EXIT.usage);
          const config = cliConfig();
          const input = file === "-" ? process.stdin : createReadStream(file);
          const size = file === "-" ? 0 : statSync(file).size;
          await withRuntime(config, async (runtime) => {
            const organization = await resolveOrganization(runtime, options.org);
            const principal = options.as
              ? await loadUserPrincipal(runtime.database.db, options.as.toLowerCase())
              : systemPrincipal("cli-import");
            const bar =
              process.stderr.isTTY && !options.json && size > 0
                ? new SingleBar({
                    format: "importing [{bar}] {percentage}% | {rows} rows | {rate} rows/s | {rejected} bad",
                    stream: process.stderr,
                    hideCursor: true,
                  })
                : null;
            const started = performance.now();
            bar?.start(size, 0, { rows: 0, rate: 0, rejected: 0 });
            const result = await importCertificationsCsv(runtime.ctx, principal, input, {
              organizationId: organization.id,
              skipInvalid: options.skipInvalid,
              batchSize: options.batchSize,
              onProgress: (progress) => {
                const seconds = (performance.now() - started) / 1000;
                bar?.update("bytesRead" in input ? input.bytesRead : 0, {
                  rows: progress.rows,
                  rate: Math.round(progress.rows / Math.max(seconds, 0.001)),
                  rejected: progress.rejected,
                });
              },
            });
            bar?.update(size);
            bar?.stop();
            const seconds = (performance.now() - started) / 1000;
            const summary = {
              organization: organization.prefix,
              ...result,
              seconds: Math.round(seconds * 100) / 100,
              rows_per_second: Math.round(result.rows / Math.max(seconds, 0.001)),
            };
            const rejectedAll = result.skipped > 0 && !options.skipInvalid;
            output(options.json, summary, () =>
              [
                rejectedAll
                  ? `Nothing imported: ${result.skipped} of ${result.rows} rows are not valid (fix them, or use --skip-invalid).`
                  : `Imported ${result.imported} of ${result.rows} rows into ${organization.prefix}` +
                    (result.already_held > 0
                      ? `, ${result.already_held} already held (not written again)`
                      : "") +
                    (result.skipped > 0 ? `, skipped ${result.skipped} bad rows` : "") +
                    ` in ${summary.seconds} s (${summary.rows_per_second} rows/s).`,
                ...result.errors.map((error) => `  line ${error.line}: ${error.code}: ${error.detail}`),
                ...(result.errors_truncated ? ["  … more bad rows not listed"] : []),
              ].join("\n"),
            );
            if (rejectedAll) throw new CommandFailure("", EXIT.dataError);
          });
        } catch (error) {
          exitOnError(error);
        }
      },
    );

  program
    .command("export")
    .description("Export an organization's certifications as CSV, oldest first (the file imports as is)")
    .requiredOption("--org <prefix|id>", "the organization")
    .addOption(
      new Option("--status <status>", "only this effective status; repeat for several")
        .choices(STATUSES)
        .argParser(collect),
    )
    .option("--user <user-id>", "only this holder's")
    .option("--type <type-id>", "only this certification type")
    .addOption(new Option("--source <source>", "only this source").choices(SOURCES))
    .option("--expires-before <date>", "only those expiring before", instantArgument)
    .option("--expires-after <date>", "only those expiring after", instantArgument)
    .option(
      "--q <text>",
      "only those whose holder's name has this text (case and accents folded), or this whole number",
    )
    .addOption(
      new Option("--sort <order>", "oldest first (imports as is), newest first, or soonest expiry first")
        .choices(EXPORT_ORDERS)
        .default("oldest"),
    )
    .option("--out <file>", "write to this file instead of standard output")
    .action(
      async (options: {
        org: string;
        status?: Status[];
        user?: string;
        type?: string;
        source?: Source;
        expiresBefore?: Date;
        expiresAfter?: Date;
        q?: string;
        sort: ExportOrder;
        out?: string;
      }) => {
        try {
          const config = cliConfig();
          await withRuntime(config, async (runtime) => {
            const organization = await resolveOrganization(runtime, options.org);
            const chunks = await exportCertificationsCsv(
              runtime.ctx,
              systemPrincipal("cli-export"),
              {
                organizationId: organization.id,
                statuses: options.status,
                userId: options.user,
                certificationTypeId: options.type,
                source: options.source,
                expiresBefore: options.expiresBefore,
                expiresAfter: options.expiresAfter,
                q: options.q,
              },
              options.sort,
            );
            const target = options.out ? createWriteStream(options.out) : process.stdout;
            await pipeline(Readable.from(chunks), target, { end: options.out !== undefined });
          });
        } catch (error) {
          exitOnError(error);
        }
      },
    );

  program
    .command("report")
    .description(`Funder report: certified mentors of an organization in a year. ${REPORT_DEFINITION}`)
    .requiredOption("--org <prefix|id>", "the organization")
    .requiredOption("--year <year>", "the year, e.g. 2025", (value: string) => {
      if (!/^\d{4}$/.test(value)) throw new InvalidArgumentError("expected a four-digit year");
      return Number(value);
    })
    .option("--csv", "print CSV", false)
    .option("--json", "print JSON", false)
    .action(async (options: { org: string; year: number; csv: boolean; json: boolean }) => {
      try {
        const config = cliConfig();
        await withRuntime(config, async (runtime) => {
          const organization = await resolveOrganization(runtime, options.org);
          const report = await certifiedMentorsReport(
            runtime.ctx,
            systemPrincipal("cli-report"),
            organization.id,
            options.year,
          );
          if (options.csv) {
            process.stdout.write(certifiedMentorsReportCsv(report));
            return;
          }
          output(options.json, report, () =>
            [
              `${report.organization.name} (${report.organization.prefix}), ${report.year}`,
              `  certified mentors: ${report.certified_mentors}`,
              `  newly certified:   ${report.newly_certified}`,
              ...report.by_type.map(
                (line) =>
                  `  ${line.certification_type}: ${line.certified_mentors} certified, ${line.newly_certified} new`,
              ),
            ].join("\n"),
          );
        });
      } catch (error) {
        exitOnError(error);
      }
    });
}
