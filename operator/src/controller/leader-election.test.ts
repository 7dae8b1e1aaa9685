import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaderElector } from './leader-election.js';
import { RestKubeClient } from '../kube/rest-client.js';
import { startStandIn, type StandIn } from '../../test/standin/stand-in.js';

let standIn: StandIn;
before(async () => {
  standIn = await startStandIn();
});
after(() => standIn.close());

function elector(identity: string): LeaderElector {
  return new LeaderElector(new RestKubeClient(standIn.config), {
    namespace: 'ops',
    name: 'silentid-operator',
    identity,
    leaseDurationSeconds: 15,
    renewIntervalMs: 1000,
  });
}

test('one candidate holds the Lease; another takes it only after it expired', async () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const a = elector('a');
  const b = elector('b');
  assert.equal(await a.tryAcquireOrRenew(t0), true);
  assert.equal(await b.tryAcquireOrRenew(new Date(t0.getTime() + 5_000)), false);
  assert.equal(await a.tryAcquireOrRenew(new Date(t0.getTime() + 10_000)), true);
  assert.equal(
    await b.tryAcquireOrRenew(new Date(t0.getTime() + 20_000)),
    false,
    'renewed at +10 s, valid until +25 s',
  );
  assert.equal(await b.tryAcquireOrRenew(new Date(t0.getTime() + 30_000)), true);
  assert.equal(await a.tryAcquireOrRenew(new Date(t0.getTime() + 31_000)), false);
  const lease = await new RestKubeClient(standIn.config).get(
    { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease' },
    'ops',
    'silentid-operator',
  );
  assert.equal(
    (lease?.spec as { holderIdentity: string; leaseTransitions: number }).holderIdentity,
    'b',
  );
  assert.equal((lease?.spec as { leaseTransitions: number }).leaseTransitions, 1);
});

test('a standby takes over once the leader stops renewing', async () => {
  const options = {
    namespace: 'ops',
    name: 'takeover',
    leaseDurationSeconds: 1,
    renewIntervalMs: 100,
  };
  const client = new RestKubeClient(standIn.config);
  const leaderStop = new AbortController();
  const standbyStop = new AbortController();
  let standbyLeads = false;
  await new LeaderElector(client, { ...options, identity: 'leader' }).run(
    leaderStop.signal,
    () => {},
  );
  const standby = new LeaderElector(client, { ...options, identity: 'standby' })
    .run(standbyStop.signal, () => {})
    .then(() => {
      standbyLeads = !standbyStop.signal.aborted;
    });
  const holder = async (): Promise<string | undefined> => {
    const lease = await client.get(
      { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease' },
      'ops',
      'takeover',
    );
    return (lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
  };
  assert.equal(await holder(), 'leader');
  assert.equal(standbyLeads, false);
  leaderStop.abort();
  await standby;
  assert.equal(standbyLeads, true);
  assert.equal(await holder(), 'standby');
  standbyStop.abort();
});
