/** Test-only: finds live processes by an argument, to prove that none outlived a call. */
import fs from 'node:fs';

/** Pids of running processes whose command line contains `needle` as one argument or part of one. */
export function processesWith(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.some((a) => a.includes(needle))) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Resolves once a process with `needle` in its command line is running. */
export async function waitForProcess(needle: string, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [pid] = processesWith(needle);
    if (pid !== undefined) return pid;
    if (Date.now() > deadline) throw new Error(`no process with ${needle} appeared`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
