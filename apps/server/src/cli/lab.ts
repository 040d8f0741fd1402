// npm run lab -- <command> [args...]: administration from the command line. Each command is
// one entry in `commands`, with the arguments it takes; add yours there.
import { loadConfig } from '../config.ts';
import {
  CREATE_INSTRUCTOR_USAGE,
  createInstructorCommand,
} from '../routes/auth/create-instructor.ts';
import { RESET_LINK_USAGE, resetLinkCommand } from '../routes/auth/reset-link-command.ts';
import { helpText, readCommandLine } from './command-line.ts';
import type { CommandLine, Options, Values } from './command-line.ts';

interface Command {
  summary: string;
  usage: string;
  /** Reads the command's own arguments (those after its name) and runs it: the exit status. */
  run(args: readonly string[]): Promise<number>;
}

function command<O extends Options>(
  name: string,
  spec: CommandLine<O> & {
    summary: string;
    run(values: Values<O>, positionals: string[]): Promise<number>;
  },
): Command {
  return {
    summary: spec.summary,
    usage: spec.usage,
    run: async (args) => {
      const commandLine = readCommandLine(args, spec, `${name}: `);
      if ('exitCode' in commandLine) return commandLine.exitCode;
      return spec.run(commandLine.values, commandLine.positionals);
    },
  };
}

const commands: Record<string, Command> = {
  'create-instructor': command('create-instructor', {
    summary: 'an instructor account (password from stdin, or generated and printed)',
    usage: CREATE_INSTRUCTOR_USAGE,
    description: [
      'Creates an instructor account. The password is the first line of stdin when one is piped;',
      'otherwise a random one is drawn and printed once.',
      '  --name <name>  the name the lab shows (default: the part of the email before @)',
      '  -h, --help     print this',
    ],
    options: { name: { type: 'string' } },
    positionals: ['<email>'],
    run: ({ name }, [email]) => {
      const config = loadConfig();
      return createInstructorCommand({ email, name }, config.dataDir, config.databaseUrl);
    },
  }),
  'reset-link': command('reset-link', {
    summary: 'a single-use password reset link for an account, printed once',
    usage: RESET_LINK_USAGE,
    description: [
      'Prints a link that sets a new password for the account: it works once and expires after',
      '3 days, and a newer link replaces it. The address is LAB_PUBLIC_URL when set.',
      '  -h, --help     print this',
    ],
    options: {},
    positionals: ['<email>'],
    run: (_values, [email]) => {
      const config = loadConfig();
      return resetLinkCommand(email, config);
    },
  }),
};

const LAB_COMMAND_LINE: CommandLine<Options> = {
  usage: 'usage: npm run lab -- <command> [args...]   (--help lists the commands)',
  description: [
    'commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(20)} ${c.summary}`),
  ],
  options: {},
  positionals: ['<command>'],
};

async function main(argv: string[]): Promise<number> {
  // Only the command's name is read here: what follows it is the command's to read.
  const [first, ...rest] = argv;
  const commandLine = readCommandLine(first === undefined ? [] : [first], LAB_COMMAND_LINE);
  if ('exitCode' in commandLine) return commandLine.exitCode;
  const [name] = commandLine.positionals;
  const found = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!found) {
    console.error(`unknown command "${name}"\n${helpText(LAB_COMMAND_LINE)}`);
    return 2;
  }
  return found.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
