/**
 * A command's output that cannot be written (a full disk: ENOSPC; an I/O error) is reported on stderr in
 * one line with exit code 1, instead of Node's unhandled 'error' event and its stack trace. The command's
 * effect, if any, has already happened: the message says so.
 */
import type { OutputStream } from './io.js';

export function reportOutputFailures(stdout: NodeJS.WriteStream, stderr: OutputStream, setExitCode: (code: number) => void): void {
  let reported = false;
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    // A reader that went away (`taskhub … | head`) wanted no more output: nothing to report.
    if (error.code === 'EPIPE' || reported) return;
    reported = true;
    const reason = error.code === 'ENOSPC' ? 'no space left on the device' : error.message;
    stderr.write(`error: cannot write the output to stdout: ${reason}; the command itself ran\n`);
    setExitCode(1);
  });
}
