import type { KubeObject } from '../api/object-meta.js';
import type { DesiredState } from '../builders/desired-state.js';
import type { KubeClient } from '../kube/kube-client.js';
import { typeOf } from '../kube/resource-types.js';

/**
 * Applies every desired object with server-side apply. `force` takes back fields another
 * manager changed by hand: the operator is the declared owner of what it applies.
 */
export async function applyChildren(
  client: KubeClient,
  desired: DesiredState,
  namespace: string,
  ownerUid: string,
): Promise<void> {
  for (const object of desired.apply) {
    await client.apply(typeOf(object.apiVersion, object.kind), object, { force: true });
  }
  for (const ref of desired.prune) {
    const type = typeOf(ref.apiVersion, ref.kind);
    const existing = await client.get(type, namespace, ref.name);
    // Only remove what this VerificationService controls; a same-named object of a user stays.
    if (existing && controlledBy(existing, ownerUid))
      await client.delete(type, namespace, ref.name);
  }
}

function controlledBy(object: KubeObject, uid: string): boolean {
  return (object.metadata.ownerReferences ?? []).some(
    (ref) => ref.uid === uid && ref.controller === true,
  );
}
