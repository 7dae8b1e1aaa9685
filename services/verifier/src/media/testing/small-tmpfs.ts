/**
 * Test-only: a tiny tmpfs to fill, for "temp space full" (ENOSPC) without root on the
 * host. A helper process mounts it in a mount namespace of its own, made with
 * `unshare --user --map-root-user --mount` (user namespaces: no privilege needed), or
 * `unshare --mount` where only root can; the mount is then reached from outside through
 * `/proc/<helper>/root<dir>`, a path that any process of the same user can use, so
 * neither the test nor the service under test has to run inside the namespace. The
 * helper is `cat` reading a pipe from us: if the test dies, the pipe closes, the helper
 * exits, and the mount goes with its namespace; nothing is left mounted on the host.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, rm, rmdir, statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface SmallTmpfs {
  /** The tmpfs as any process of this user sees it (use it as a TMPDIR). */
  readonly path: string;
  /** Writes a filler file until the tmpfs has no space left (ENOSPC), nor inode if few. */
  fill(): Promise<void>;
  /** Removes the filler. */
  free(): Promise<void>;
  /** Ends the helper (and with it the mount) and removes the mount point. */
  dispose(): Promise<void>;
}

/** statfs(2)'s f_type of a tmpfs. */
const TMPFS_MAGIC = 0x01021994;

const LAUNCHERS: readonly (readonly string[])[] = [
  ['unshare', '--user', '--map-root-user', '--mount'],
  ['unshare', '--mount'],
];

export interface TmpfsOptions {
  /** Its size (default 1 MiB). */
  readonly sizeKiB?: number;
  /**
   * Its inodes, the root directory's included (default the kernel's): 2 leaves room for
   * the filler only, so that creating a directory fails with ENOSPC too.
   */
  readonly inodes?: number;
}

/**
 * A small tmpfs, or the reason none could be made here (no unshare, user namespaces
 * disabled and not root, a seccomp profile that forbids unshare(2), /proc hidden): a
 * test skips with that reason rather than pretend.
 */
export async function smallTmpfs({ sizeKiB = 1024, inodes }: TmpfsOptions = {}): Promise<
  SmallTmpfs | { unavailable: string }
> {
  const mountOptions = [`size=${sizeKiB}k`, 'mode=0700'];
  if (inodes !== undefined) mountOptions.push(`nr_inodes=${inodes}`);
  const mountPoint = await mkdtemp(path.join(os.tmpdir(), 'small-tmpfs-'));
  const failures: string[] = [];
  for (const launcher of LAUNCHERS) {
    try {
      return await mountWith(launcher, mountPoint, mountOptions.join(','), sizeKiB);
    } catch (err) {
      failures.push(`${launcher.join(' ')}: ${(err as Error).message.trim()}`);
    }
  }
  await rmdir(mountPoint);
  return { unavailable: `no small tmpfs could be mounted here (${failures.join('; ')})` };
}

async function mountWith(
  launcher: readonly string[],
  mountPoint: string,
  mountOptions: string,
  sizeKiB: number,
): Promise<SmallTmpfs> {
  const script = 'mount -t tmpfs -o "$1" tmpfs "$2" || exit 1; echo mounted; exec cat';
  const helper = spawn(
    launcher[0]!,
    [...launcher.slice(1), 'sh', '-c', script, 'sh', mountOptions, mountPoint],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => {
    helper.once('close', () => resolve());
    helper.once('error', () => resolve()); // no unshare: 'close' may not follow
  });
  let stderr = '';
  helper.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const mounted = await new Promise<boolean>((resolve) => {
    helper.stdout.setEncoding('utf8').on('data', (t: string) => {
      if (t.includes('mounted')) resolve(true);
    });
    helper.once('error', (err) => {
      stderr += err.message;
      resolve(false);
    });
    void exited.then(() => resolve(false));
  });
  const dispose = async () => {
    helper.stdin.end();
    await exited;
  };
  if (!mounted) {
    await dispose();
    throw new Error(stderr || 'the helper exited');
  }
  const seen = `/proc/${helper.pid}/root${mountPoint}`;
  try {
    // Reachable from here, and really the small tmpfs (not the empty directory below it).
    const fs = await statfs(seen);
    if (fs.type !== TMPFS_MAGIC || fs.blocks * fs.bsize > (sizeKiB + 64) * 1024)
      throw new Error(`${seen} is not the ${sizeKiB} KiB tmpfs`);
  } catch (err) {
    await dispose();
    throw err;
  }
  const filler = path.join(seen, 'filler');
  return {
    path: seen,
    async fill() {
      const fh = await open(filler, 'w');
      try {
        const block = Buffer.alloc(64 * 1024, 1);
        for (;;) await fh.write(block);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        await fh.close();
      }
    },
    free: () => rm(filler, { force: true }),
    async dispose() {
      await dispose();
      await rm(mountPoint, { recursive: true, force: true });
    },
  };
}
