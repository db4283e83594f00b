/**
 * What a CLI run reads and writes. The binary passes the real process streams; tests pass their own, so
 * the whole program can also run in-process (fuzzing every flag would be slow one process at a time).
 */
export interface OutputStream {
  write(text: string): unknown;
  /** A terminal: progress bars are drawn only there. */
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  /** Where `@file` arguments and host.json are looked up. */
  cwd: string;
}
