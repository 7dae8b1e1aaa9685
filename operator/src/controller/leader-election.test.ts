import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { LeaderElector, type LeaseOptions } from './leader-election.js';
import type { KubeClient } from '../kube/kube-client.js';
import { RestKubeClient } from '../kube/rest-client.js';
import { Resources } from '../kube/resource-types.js';
import { startStandIn, type StandIn } from '../../test/standin/stand-in.js';

let standIn: StandIn;
before(async () => {
  standIn = await startStandIn();
});
after(() => standIn.close());

const timings = { leaseDurationSeconds: 15, renewDeadlineMs: 10_000, renewIntervalMs: 1000 };

function elector(identity: string, name = 'silentid-operator'): LeaderElector {
  return new LeaderElector(new RestKubeClient(standIn.config), {
    namespace: 'ops',
    name,
    identity,
    ...timings,
  });
}

async function holder(name: string): Promise<string | undefined> {
  const lease = await new RestKubeClient(standIn.config).get(Resources.Lease, 'ops', name);
  return (lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
}

/** Polls `probe` every 10 ms until it holds; fails after 10 s. */
async function until(what: string, probe: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('a standby takes the Lease only a lease duration after it last saw it renewed', async () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
  const a = elector('a');
  const b = elector('b');
  assert.equal(await a.tryAcquireOrRenew(t0), true);
  assert.equal(await b.tryAcquireOrRenew(at(5)), false, 'b first sees the record at +5 s');
  assert.equal(await a.tryAcquireOrRenew(at(10)), true);
  assert.equal(await b.tryAcquireOrRenew(at(12)), false, 'renewed: b restarts its clock at +12 s');
  assert.equal(await b.tryAcquireOrRenew(at(26)), false, 'valid until +27 s on b’s clock');
  assert.equal(await b.tryAcquireOrRenew(at(27)), true);
  assert.equal(await a.tryAcquireOrRenew(at(28)), false);
  assert.equal(await holder('silentid-operator'), 'b');
  const lease = await new RestKubeClient(standIn.config).get(
    Resources.Lease,
    'ops',
    'silentid-operator',
  );
  assert.equal((lease?.spec as { leaseTransitions: number }).leaseTransitions, 1);
});

test('a released Lease is taken over at once, without waiting for it to expire', async () => {
  const leaderStop = new AbortController();
  const standbyStop = new AbortController();
  const leader = elector('leader', 'release');
  await leader.run(leaderStop.signal, () => assert.fail('the leader never loses the Lease'));
  let standbyLeads = false;
  const standby = elector('standby', 'release');
  const waiting = standby
    .run(standbyStop.signal, () => {})
    .then(() => {
      standbyLeads = !standbyStop.signal.aborted;
    });
  assert.equal(await holder('release'), 'leader');
  const released = Date.now();
  leaderStop.abort();
  await leader.release();
  await waiting;
  assert.equal(standbyLeads, true);
  assert.equal(await holder('release'), 'standby');
  // A 15 s lease: a hand-over without the release would take at least that long.
  assert.ok(Date.now() - released < timings.leaseDurationSeconds * 1000);
  standbyStop.abort();
  await standby.release();
});

test('renewing leaves no abort listeners behind', async () => {
  const stop = new AbortController();
  let renewals = 0;
  const base = new RestKubeClient(standIn.config);
  const counting: KubeClient = Object.assign(Object.create(base) as KubeClient, {
    replace: (...args: Parameters<KubeClient['replace']>) => {
      renewals += 1;
      return base.replace(...args);
    },
  });
  const options: LeaseOptions = {
    namespace: 'ops',
    name: 'listeners',
    identity: 'x',
    leaseDurationSeconds: 15,
    renewDeadlineMs: 10_000,
    renewIntervalMs: 5,
  };
  // Node warns once an AbortSignal holds more than 10 listeners: a leak shows up by 11 renewals.
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning.name);
  process.on('warning', onWarning);
  const leader = new LeaderElector(counting, options);
  await leader.run(stop.signal, () => {});
  await until('20 renewals', () => renewals >= 20);
  await new Promise((resolve) => setImmediate(resolve));
  process.off('warning', onWarning);
  assert.deepEqual(warnings, []);
  assert.ok(getEventListeners(stop.signal, 'abort').length <= 2);
  stop.abort();
  await leader.release();
});

test('a leader that cannot renew stops acting before a standby may take over', async () => {
  const stop = new AbortController();
  let failing = false;
  const base = new RestKubeClient(standIn.config);
  // A renewal that hangs forever: only the deadline can notice.
  const flaky: KubeClient = Object.assign(Object.create(base) as KubeClient, {
    get: (...args: Parameters<KubeClient['get']>) =>
      failing ? new Promise<never>(() => {}) : base.get(...args),
  });
  const leader = new LeaderElector(flaky, {
    namespace: 'ops',
    name: 'deadline',
    identity: 'x',
    leaseDurationSeconds: 2,
    renewDeadlineMs: 500,
    renewIntervalMs: 100,
  });
  let lostAt = 0;
  await leader.run(stop.signal, () => {
    lostAt = Date.now();
  });
  const hung = Date.now();
  failing = true;
  await until('the leader to give up', () => lostAt > 0);
  assert.ok(lostAt - hung < 2000, 'gave up within the lease duration');
  stop.abort();
});
