/**
 * A command's output that cannot be written is dealt with in one place, never by Node's unhandled 'error'
 * event and its stack trace:
 * - a reader that went away (`taskhub get-instances | head -5`, EPIPE on stdout or stderr) wanted no more:
 *   stop at once, quietly and successfully, as other Unix tools do;
 * - any other failure (a full disk: ENOSPC; an I/O error) is one line on stderr and exit code 1. The
 *   command's effect, if any, has already happened: the message says so.
 */
import type { OutputStream } from './io.js';

export interface OutputFailureHandlers {
  setExitCode(code: number): void;
  /** Ends the process with code 0 (the reader of the output is gone). */
  exitQuietly(): void;
}

export function reportOutputFailures(stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream & OutputStream, handlers: OutputFailureHandlers): void {
  let reported = false;
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return handlers.exitQuietly();
    if (reported) return;
    reported = true;
    const reason = error.code === 'ENOSPC' ? 'no space left on the device' : error.message;
    stderr.write(`error: cannot write the output to stdout: ${reason}; the command itself ran\n`);
    handlers.setExitCode(1);
  });
  // Nowhere is left to report a failure of stderr itself; a closed one means the reader is gone.
  stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') handlers.exitQuietly();
    else handlers.setExitCode(1);
  });
}
