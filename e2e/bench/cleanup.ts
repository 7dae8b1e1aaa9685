/**
 * Undo steps (stop the service, release the models, remove the scratch folder), run
 * newest first on the way out, or at once on Ctrl-C: a benchmark left half-run must
 * not leave a service listening or files in the temp folder.
 */
export class Cleanup {
  private readonly pending = new Set<() => Promise<void>>();
  private closing = false;

  constructor(private readonly log: (line: string) => void) {}

  /** True once `all()` has begun (the end, or Ctrl-C): start nothing new. */
  get closed(): boolean {
    return this.closing;
  }

  /**
   * Registers an undo step; the returned function runs it (once) and unregisters it.
   * After `all()` has begun the step runs at once: a service started while Ctrl-C was
   * being handled must not outlive the process.
   */
  defer(undo: () => Promise<unknown>): () => Promise<void> {
    let done: Promise<void> | undefined;
    const run = (): Promise<void> => {
      this.pending.delete(run);
      done ??= undo().then(
        () => undefined,
        (err: unknown) => this.log(`clean-up: ${String(err)}`),
      );
      return done;
    };
    this.pending.add(run);
    if (this.closing) void run();
    return run;
  }

  /** Runs every step still pending, newest first. */
  async all(): Promise<void> {
    this.closing = true;
    for (const undo of [...this.pending].reverse()) await undo();
  }
}

/**
 * Runs a benchmark's `main` so that a half-run one leaves nothing behind: on Ctrl-C or
 * SIGTERM the pending steps run at once and the process exits 130; otherwise they run when
 * `main` ends. An error is printed and sets exit code 1, unless it came after an
 * interruption (a request cut off): those are its echoes, not news.
 */
export async function guarded(
  cleanup: Cleanup,
  log: (line: string) => void,
  main: () => Promise<void>,
): Promise<void> {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      interrupted = true;
      log(`${signal}: stopping the services, releasing the models, removing scratch files`);
      void cleanup.all().finally(() => process.exit(130));
    });
  try {
    await main();
  } catch (err) {
    if (!interrupted) {
      console.error(err);
      process.exitCode = 1;
    }
  } finally {
    if (!interrupted) await cleanup.all();
  }
}
