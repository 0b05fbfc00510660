import type { Command } from "commander";
import { systemPrincipal } from "../domain/principal.js";
import { ensureSigningKeys, rotateSigningKey } from "../services/signing-keys.js";
import { cliConfig, exitOnError, output, resolveOrganization, withRuntime } from "./context.js";

/** `certsvc keys`: the organizations' credential signing keys. */
export function registerKeyCommands(program: Command): void {
  const keys = program.command("keys").description("Manage the organizations' credential signing keys");
  keys
    .command("rotate")
    .description(
      "Give an organization a new signing key; the old one is retired, and credentials signed with it still verify",
    )
    .requiredOption("--org <prefix|id>", "the organization")
    .option("--json", "print JSON", false)
    .action(async (options: { org: string; json: boolean }) => {
      try {
        const result = await withRuntime(cliConfig(), async (runtime) => {
          const organization = await resolveOrganization(runtime, options.org);
          return rotateSigningKey(runtime.ctx, systemPrincipal("cli-keys"), organization.id);
        });
        output(options.json, result, () => `New signing key: ${result.did}`);
      } catch (error) {
        exitOnError(error);
      }
    });
  keys
    .command("ensure")
    .description("Give every organization without a signing key one (organizations made before keys existed)")
    .option("--json", "print JSON", false)
    .action(async (options: { json: boolean }) => {
      try {
        const made = await withRuntime(cliConfig(), (runtime) =>
          ensureSigningKeys(runtime.ctx, systemPrincipal("cli-keys")),
        );
        output(options.json, { organizations: made }, () =>
          made.length === 0 ? "Every organization has a signing key." : `Made keys for ${made.join(", ")}.`,
        );
      } catch (error) {
        exitOnError(error);
      }
    });
}
