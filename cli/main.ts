import { Command, CommanderError } from 'commander';
import { auditCommand } from './audit.js';
import { cliContext, CliError, type CliIo } from './context.js';
import { projectionsCommand } from './projections.js';
import { deadLettersCommand } from './dead-letters.js';
import { statusCommand } from './status.js';

/**
 * The `sleepsocial` operator CLI. Every command has --help; output is for people by default and
 * --json for scripts. Connections come from the same environment variables as the services.
 */
export const buildProgram = (ctx: ReturnType<typeof cliContext>): Command => {
  const program = new Command('sleepsocial')
    .description('Operate a Sleepsocial deployment: audit the event store, watch and rebuild projections, handle dead letters.');
  program.addCommand(auditCommand(ctx));
  program.addCommand(projectionsCommand(ctx));
  program.addCommand(deadLettersCommand(ctx));
  program.addCommand(statusCommand(ctx));
  // Every command, however deep, writes through ctx and throws instead of exiting the process.
  const configure = (command: Command): void => {
    command
      .exitOverride()
      .showHelpAfterError('(add --help for usage)')
      .configureOutput({ writeOut: (s) => void ctx.io.out.write(s), writeErr: (s) => void ctx.io.err.write(s) });
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
};

/** Runs one command line and answers the exit code; never calls process.exit (tests run it in-process). */
export const runCli = async (argv: readonly string[], io: CliIo): Promise<number> => {
  const ctx = cliContext(io);
  try {
    await buildProgram(ctx).parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      io.err.write(`sleepsocial: ${error.message}\n`);
      return error.exitCode;
    }
    io.err.write(`sleepsocial: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  } finally {
    await ctx.close();
  }
};
