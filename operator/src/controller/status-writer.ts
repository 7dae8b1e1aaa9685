import { isDeepStrictEqual } from 'node:util';
import type { Condition, KubeObject } from '../api/object-meta.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { ResourceType } from '../kube/resource-types.js';
import type { EventRecorder } from './event-recorder.js';

/** The value as it travels as JSON: undefined members gone, key order irrelevant to comparison. */
function asJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/**
 * Writes a status with server-side apply, and only when it changed: idle services cause
 * no writes. "Changed" is semantic, not textual: the API server returns a custom
 * resource's fields in its own key order, which must not count as a change.
 */
export async function writeStatus(
  client: KubeClient,
  type: ResourceType,
  object: KubeObject,
  before: unknown,
  after: object,
): Promise<void> {
  if (isDeepStrictEqual(asJson(before), asJson(after))) return;
  await client.applyStatus(type, {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: { name: object.metadata.name, namespace: object.metadata.namespace ?? '' },
    status: after,
  });
}

/** One event per condition whose status or reason changed; a warning when it got worse. */
export async function recordTransitions(
  events: EventRecorder,
  object: KubeObject,
  before: Condition[] | undefined,
  after: Condition[],
): Promise<void> {
  for (const condition of after) {
    const old = before?.find((c) => c.type === condition.type);
    if (old && old.status === condition.status && old.reason === condition.reason) continue;
    if (!old && condition.status === 'False') continue;
    const bad =
      condition.type === 'Degraded' ? condition.status === 'True' : condition.status === 'False';
    const reason = `${condition.status === 'True' ? '' : 'Not'}${condition.type}`;
    await events.record(
      object,
      bad ? 'Warning' : 'Normal',
      reason,
      `${condition.reason}: ${condition.message}`,
    );
  }
}
