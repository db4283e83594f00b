/** Running the CLI program in this process (for fuzzing and for terminal-only behaviour), output captured. */
import { runCli } from '../../src/cli/program.js';
import type { CliResult } from './cli-harness.js';

export interface CapturedStream {
  text: string;
  isTTY: boolean;
  columns: number;
  write(chunk: string): boolean;
}

export function capture(isTTY = false): CapturedStream {
  return {
    text: '',
    isTTY,
    columns: 80,
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

export async function runInProcess(
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; stderrIsTTY?: boolean },
): Promise<CliResult> {
  const stdout = capture();
  const stderr = capture(options.stderrIsTTY ?? false);
  const code = await runCli(args, { stdout, stderr, env: options.env, cwd: options.cwd });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
