/**
 * Undo steps (stop the service, release the models, remove the scratch folder), run
 * newest first on the way out, or at once on Ctrl-C: a benchmark left half-run must
 * not leave a service listening or files in the temp folder.
 */
export class Cleanup {
  private readonly pending = new Set<() => Promise<void>>();

  constructor(private readonly log: (line: string) => void) {}

  /** Registers an undo step; the returned function runs it (once) and unregisters it. */
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
    return run;
  }

  /** Runs every step still pending, newest first. */
  async all(): Promise<void> {
    for (const undo of [...this.pending].reverse()) await undo();
  }
}
