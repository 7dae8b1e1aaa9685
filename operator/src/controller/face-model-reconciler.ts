import { ConditionType, Reason } from '../api/conditions.js';
import type { FaceModel } from '../api/face-model.js';
import type { KubeObject } from '../api/object-meta.js';
import { controllerRef } from '../builders/owner.js';
import { buildVerificationJob } from '../builders/verification-job.js';
import type { KubeClient } from '../kube/kube-client.js';
import { Resources } from '../kube/resource-types.js';
import { mergeConditions, findCondition, type ConditionInput } from '../status/conditions.js';
import type { EventRecorder } from './event-recorder.js';

interface JobStatus {
  succeeded?: number;
  failed?: number;
  conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
}

function jobCondition(status: JobStatus | undefined, uri: string): ConditionInput {
  const failed = status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if ((status?.succeeded ?? 0) > 0)
    return {
      type: ConditionType.Verified,
      status: 'True',
      reason: Reason.ChecksumMatched,
      message: 'bundle fetched and sha256 matched',
    };
  if (failed)
    return {
      type: ConditionType.Verified,
      status: 'False',
      reason: Reason.VerificationFailed,
      // The Job's pod failure policy fails it at once only on the checksum's exit code.
      message:
        failed.reason === 'PodFailurePolicy'
          ? `the archive at ${uri} does not match spec.source.sha256 (${failed.message ?? 'sha256sum -c failed'})`
          : (failed.message ?? 'fetch or sha256 check failed'),
    };
  return {
    type: ConditionType.Verified,
    status: 'Unknown',
    reason: Reason.Verifying,
    message: 'verification Job running',
  };
}

/** Verifies FaceModels: built-ins at once, remote bundles through a Job. */
export class FaceModelReconciler {
  constructor(
    private readonly client: KubeClient,
    private readonly events: EventRecorder,
    private readonly fetcherImage: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(namespace: string, name: string): Promise<void> {
    const object = await this.client.get(Resources.FaceModel, namespace, name);
    if (!object || object.metadata.deletionTimestamp) return;
    const model = object as unknown as FaceModel;
    const generation = model.metadata.generation ?? 0;
    const current = findCondition(model.status?.conditions, ConditionType.Verified);
    // A decided verdict for this generation is final: the spec is immutable.
    if (current && current.status !== 'Unknown' && current.observedGeneration === generation)
      return;
    let condition: ConditionInput;
    if (model.spec.builtin) {
      condition = {
        type: ConditionType.Verified,
        status: 'True',
        reason: Reason.Builtin,
        message: `built into the verifier image as ${model.spec.builtin.name}/${model.spec.builtin.version}`,
      };
    } else {
      const job = await this.client.apply(
        Resources.Job,
        buildVerificationJob(
          model,
          controllerRef(object),
          this.fetcherImage,
        ) as unknown as KubeObject,
        { force: true },
      );
      condition = jobCondition(job.status as JobStatus | undefined, model.spec.source?.uri ?? '');
    }
    if (
      current?.status === condition.status &&
      current.reason === condition.reason &&
      current.observedGeneration === generation
    )
      return;
    const conditions = mergeConditions(
      model.status?.conditions,
      [condition],
      generation,
      this.now(),
    );
    await this.client.applyStatus(Resources.FaceModel, {
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: { name, namespace },
      status: { observedGeneration: generation, conditions },
    });
    if (condition.status !== 'Unknown')
      await this.events.record(
        object,
        condition.status === 'True' ? 'Normal' : 'Warning',
        condition.reason,
        condition.message,
      );
  }
}
