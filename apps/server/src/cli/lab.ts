// npm run lab -- <command> [args...]: administration from the command line. Each command is
// one entry in `commands`; add yours there.
import { loadConfig } from '../config.ts';
import { createInstructorCommand } from '../routes/auth/create-instructor.ts';

type Command = { help: string; run(args: string[]): Promise<number> };

const commands: Record<string, Command> = {
  'create-instructor': {
    help: '<email> [--name <name>]  an instructor account (password from stdin, or generated and printed)',
    run: (args) => {
      const config = loadConfig();
      return createInstructorCommand(args, config.dataDir, config.databaseUrl);
    },
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(20)} ${c.help}`);
  return ['usage: npm run lab -- <command> [args...]', 'commands:', ...(lines.length ? lines : ['  (none yet)'])].join(
    '\n',
  );
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(name && name !== '--help' ? `unknown command "${name}"\n${usage()}` : usage());
    return name && name !== '--help' ? 2 : 0;
  }
  return command.run(args);
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
