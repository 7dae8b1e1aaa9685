import type { KubeObject } from '../api/object-meta.js';
import type { DesiredState } from '../builders/desired-state.js';
import type { KubeClient } from '../kube/kube-client.js';
import { FIELD_MANAGER } from '../api/group.js';
import { typeOf } from '../kube/resource-types.js';

/**
 * The field manager that sets a new HPA-scaled Deployment's replicas, once. Not the
 * operator's own: the operator's applies leave `replicas` out (the HPA owns it), and
 * server-side apply removes a field its manager stops applying.
 */
export const INITIAL_REPLICAS_MANAGER = `${FIELD_MANAGER}-initial-replicas`;

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
    const type = typeOf(object.apiVersion, object.kind);
    const initial =
      object.kind === 'Deployment' ? desired.initialReplicas[object.metadata.name] : undefined;
    await client.apply(type, object, { force: true });
    if (initial !== undefined) {
      const { apiVersion, kind, metadata } = object;
      await client.apply(
        type,
        {
          apiVersion,
          kind,
          metadata: { name: metadata.name, namespace },
          spec: { replicas: initial },
        },
        { force: true, fieldManager: INITIAL_REPLICAS_MANAGER },
      );
    }
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
