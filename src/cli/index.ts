import { Command, CommanderError } from "commander";
import { registerAdminCommands } from "./admin-commands.js";
import { EXIT } from "./context.js";
import { registerDataCommands } from "./data-commands.js";
import { registerKeyCommands } from "./key-commands.js";
import { registerServiceCommands } from "./service-commands.js";

/**
 * `certsvc`: the service's commands over the same use cases as the HTTP API. Configuration comes
 * from the environment (see the README's table); every command has --help. Exit codes: 0 ok,
 * 1 failure or "no", 2 usage, 65 bad input data, 75 embedded database in use, 78 bad configuration.
 */
export function buildProgram(): Command {
  const program = new Command("certsvc")
    .description("Certificate Service: issues, tracks and verifies peer mentors' certifications")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      "\nConfiguration: environment variables (DATABASE_URL, CERTSVC_DATA_DIR, CERTSVC_JWT_SECRET, …; see README).\n" +
        "Exit codes: 0 ok, 1 failure or not valid, 2 usage, 65 bad input data, 75 embedded database in use, 78 bad configuration.",
    );
  program.exitOverride();
  for (const command of [program]) command.configureHelp({ sortSubcommands: false });
  registerServiceCommands(program);
  registerAdminCommands(program);
  registerDataCommands(program);
  registerKeyCommands(program);
  // Every subcommand reports usage errors like the program does, as exit 2.
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

async function run(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      const done = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code);
      process.exit(done ? EXIT.ok : EXIT.usage);
    }
    throw error;
  }
}

run(process.argv).catch((error: unknown) => {
  process.stderr.write(`certsvc: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(EXIT.failure);
});
