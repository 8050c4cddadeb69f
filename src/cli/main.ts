import { Command, CommanderError } from 'commander';
import { campaignCommand } from './commands/campaign';
import { approveCommand, requestChangesCommand, resumeCommand } from './commands/decide';
import { inboxCommand } from './commands/inbox';
import { qaCommand } from './commands/qa';
import { reportCommand } from './commands/report';
import { diffCommand } from './commands/diff';
import { draftCommand, noteCommand } from './commands/research';
import { showCommand } from './commands/show';
import { startCommand } from './commands/start';
import { statusCommand } from './commands/status';
import { watchCommand } from './commands/watch';
import { CliError } from './errors';

/** The `casebook` program, with every command. */
export function buildProgram(): Command {
  const program = new Command('casebook')
    .description('Engineering case studies produced by durable Temporal workflows')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const commands = [
    startCommand(),
    statusCommand(),
    showCommand(),
    approveCommand(),
    requestChangesCommand(),
    resumeCommand(),
    noteCommand(),
    draftCommand(),
    diffCommand(),
    inboxCommand(),
    qaCommand(),
    campaignCommand(),
    reportCommand(),
    watchCommand(),
  ];
  for (const command of commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
    program.addCommand(command);
  }
  return program;
}

/** Runs the CLI; the only place that decides the exit code. */
export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed the problem already; help and version are not failures.
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2;
    }
    if (err instanceof CliError) {
      console.error(`error: ${err.message}\n${err.hint}`);
      return err.exitCode;
    }
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.CASEBOOK_DEBUG && err instanceof Error) console.error(err.stack);
    return 1;
  }
}

/** Entry point of `bin/casebook.js`: runs, then exits once output is flushed. */
export function main(): void {
  void run(process.argv).then((code) => {
    process.exitCode = code;
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}

if (require.main === module) main();
