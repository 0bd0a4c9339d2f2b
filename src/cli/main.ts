// The headless `ws-inspector` command: the same session engine as the extension, no VS Code.

import { runAnalyze } from './analyze.js';
import { runProbe } from './probe.js';
import { runTap } from './tap.js';
import { parseTapArgs } from './tapArgs.js';
import { USAGE, UsageError } from './usage.js';
import type { CliIo } from './output.js';
import { runWatch } from './watch.js';
import { parseWatchArgs } from './watchArgs.js';

export async function main(argv: string[], io: CliIo, stop: AbortSignal): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'watch':
        return await runWatch(parseWatchArgs(rest), io, stop);
      case 'probe':
        return await runProbe(rest, io, stop);
      case 'tap':
        return await runTap(parseTapArgs(rest), io, stop);
      case 'analyze':
        return await runAnalyze(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`ws-inspector: ${error.message}\nRun "ws-inspector --help" for usage.`);
      return 2;
    }
    throw error;
  }
}

/** Runs the CLI in this process: argv, signals, stdout/stderr and the exit code. */
export function runCli(): void {
  const controller = new AbortController();
  let interrupted = 0;
  const onSignal = () => {
    // A second Ctrl-C means "now": skip the graceful close.
    if (++interrupted > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // When the reader goes away (`ws-inspector watch … | head`), stop the watch cleanly so the
  // export is still written, and print nothing more.
  let stdoutClosed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutClosed = true;
    controller.abort();
  });
  const io: CliIo = {
    out: (text) => {
      if (!stdoutClosed) process.stdout.write(text + '\n');
    },
    err: (text) => process.stderr.write(text + '\n'),
  };
  main(process.argv.slice(2), io, controller.signal).then(
    (code) => {
      process.exitCode = code;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
    (error: unknown) => {
      process.stderr.write(`ws-inspector: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) runCli();
