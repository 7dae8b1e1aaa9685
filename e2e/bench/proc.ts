/**
 * What the kernel knows about the service process (Linux /proc): CPU time, its ffmpeg and
 * ffprobe children's included, and peak resident memory. Read from outside, so the
 * service needs no instrumentation of its own.
 */
import { readFile, writeFile } from 'node:fs/promises';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on every Linux ABI). */
const USER_HZ = 100;

/**
 * User + system CPU seconds of a process, plus those of its children once reaped: every
 * ffprobe and ffmpeg run is a child that has exited (and been waited for) by the time
 * its request is answered.
 */
export async function cpuSeconds(pid: number): Promise<number> {
  // The command name may contain spaces; the fields after its closing ") " do not.
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  // utime, stime, cutime, cstime are fields 14–17 of stat(5); after "comm)" they are 12–15.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return ticks / USER_HZ;
}

/** Peak resident set size since start or the last resetPeakRss, in MiB (VmHWM). */
export async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * Resets VmHWM to the current RSS (clear_refs 5, Linux ≥ 4.0), so that each
 * configuration gets its own peak. Returns false where the kernel refuses; the peak is
 * then the whole run's so far, and the report says so.
 */
export async function resetPeakRss(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
