import { Command, CommanderError } from 'commander';
import { CliError } from './errors';
import { debug } from '../config';

/**
 * Every command: its name, the one line `casebook --help` shows, and how to load it. A command's
 * module (and what it imports: the Temporal client, the plan loader, the QA engine and the
 * TypeScript compiler) is loaded only when that command runs, so each call pays only for itself.
 * `require`, not `import()`: it stays lazy in the compiled CLI, under tsx and under jest alike.
 */
const COMMANDS: { name: string; description: string; load: () => Command }[] = [
  { name: 'start', description: 'start the workflow of one or more planned cases', load: () => (require('./commands/start') as typeof import('./commands/start')).startCommand() },
  {
    name: 'status',
    description: 'the progress table of all cases (行业, 案例, 状态, 完成度; over CASEBOOK_STATUS_MAX_ROWS, the summary per phase), or one case in detail',
    load: () => (require('./commands/status') as typeof import('./commands/status')).statusCommand(),
  },
  {
    name: 'show',
    description: 'one case: phase, revision, pending reviewers, QA summary, cited figures, Web UI link',
    load: () => (require('./commands/show') as typeof import('./commands/show')).showCommand(),
  },
  {
    name: 'approve',
    description: 'approve the current revision of a case (or the one given with --revision)',
    load: () => (require('./commands/decide') as typeof import('./commands/decide')).approveCommand(),
  },
  {
    name: 'request-changes',
    description: 'send a case back for rework, with a comment that reaches the next revision',
    load: () => (require('./commands/decide') as typeof import('./commands/decide')).requestChangesCommand(),
  },
  {
    name: 'resume',
    description: 'let a case that needs attention go on (allows more revisions)',
    load: () => (require('./commands/decide') as typeof import('./commands/decide')).resumeCommand(),
  },
  {
    name: 'note',
    description: 'add a research note (and optionally a public source URL) to a running case',
    load: () => (require('./commands/note') as typeof import('./commands/note')).noteCommand(),
  },
  { name: 'draft', description: 'work on the draft of a case', load: () => (require('./commands/research') as typeof import('./commands/research')).draftCommand() },
  {
    name: 'diff',
    description: 'what changed between two revisions of a draft (by default since a reviewer last decided)',
    load: () => (require('./commands/diff') as typeof import('./commands/diff')).diffCommand(),
  },
  { name: 'inbox', description: "the cases that wait for a reviewer's decision", load: () => (require('./commands/inbox') as typeof import('./commands/inbox')).inboxCommand() },
  {
    name: 'qa',
    description: 'check Markdown files: format, data accuracy and Temporal code (exit code 1 on errors)',
    load: () => (require('./commands/qa') as typeof import('./commands/qa')).qaCommand(),
  },
  {
    name: 'campaign',
    description: 'run every case of a plan version as one campaign',
    load: () => (require('./commands/campaign') as typeof import('./commands/campaign')).campaignCommand(),
  },
  {
    name: 'report',
    description: "the plan's progress tables (当前进度, 实施阶段) and per-case timings, from live campaign state",
    load: () => (require('./commands/report') as typeof import('./commands/report')).reportCommand(),
  },
  {
    name: 'watch',
    description: 'follow a campaign live: progress bars per case (plain lines when piped); exits when it completes',
    load: () => (require('./commands/watch') as typeof import('./commands/watch')).watchCommand(),
  },
];

/** The command a command line asks for: the first word that is not an option (`help <command>` too). */
function requestedCommand(args: string[]): { name?: string; help: boolean } {
  const words = args.filter((a) => !a.startsWith('-'));
  if (words[0] === 'help') return { name: words[1], help: true };
  return { name: words[0], help: false };
}

/**
 * The `casebook` program for one command line: the command that runs is loaded in full, every
 * other one is listed by name and description only.
 */
export function buildProgram(args: string[] = []): Command {
  const program = new Command('casebook')
    .description('Engineering case studies produced by durable Temporal workflows')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nRun `casebook <command> --help` for the arguments and options of a command.')
    .exitOverride();
  const wanted = requestedCommand(args).name;
  for (const entry of COMMANDS) {
    const command = entry.name === wanted ? entry.load() : new Command(entry.name);
    command.description(entry.description).exitOverride();
    for (const sub of command.commands) sub.exitOverride();
    program.addCommand(command);
  }
  return program;
}

/** Runs the CLI; the only place that decides the exit code. */
export async function run(argv: string[]): Promise<number> {
  try {
    const args = argv.slice(2);
    const { name, help } = requestedCommand(args);
    const program = buildProgram(args);
    // `casebook help <command>`: the command's own help, now that it is loaded.
    await program.parseAsync(help && name ? [...argv.slice(0, 2), name, '--help'] : argv);
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
    if (debug() && err instanceof Error) console.error(err.stack);
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
