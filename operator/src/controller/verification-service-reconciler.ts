import { resolveSpec, type ResolvedSpec } from '../api/defaults.js';
import type { FaceModel } from '../api/face-model.js';
import type {
  MetricTotals,
  VerificationService,
  VerificationServiceStatus,
} from '../api/verification-service.js';
import { desiredState, type DesiredState } from '../builders/desired-state.js';
import { deploymentName } from '../builders/labels.js';
import { controllerRef } from '../builders/owner.js';
import type { OperatorSettings } from '../builders/pod-template.js';
import type { KubeClient } from '../kube/kube-client.js';
import { Resources } from '../kube/resource-types.js';
import { analyze } from '../rollout/analysis.js';
import { since, summarizeTotals, totals } from '../rollout/metrics-summary.js';
import {
  analysisDue,
  nextAnalysisAt,
  planRollout,
  reanalysisIntervalMs,
  type RolloutState,
} from '../rollout/plan.js';
import { splitTraffic } from '../rollout/traffic.js';
import { ConditionType } from '../api/conditions.js';
import { findCondition } from '../status/conditions.js';
import { serviceStatus } from '../status/service-status.js';
import { applyChildren } from './children.js';
import { ConcurrencyScaler } from './concurrency-scaler.js';
import type { DemandStore } from './demand-store.js';
import type { EventRecorder } from './event-recorder.js';
import type { MetricsSource } from './metrics-source.js';
import { deploymentView, modelState, type DeploymentView } from './observe.js';
import { recordTransitions, writeStatus } from './status-writer.js';

/** Collaborators of the reconciler; tests swap the clock and the metrics source. */
export interface ReconcilerDeps {
  client: KubeClient;
  events: EventRecorder;
  metrics: MetricsSource;
  demand: DemandStore;
  settings: OperatorSettings;
  now: () => Date;
  /** How often the concurrency autoscaler samples demand. */
  autoscaleIntervalMs: number;
}

/** When to look again without a watch event. */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

/** Counters of both tracks at one moment. */
interface TrackTotals {
  canary: MetricTotals;
  stable: MetricTotals;
}

const IDLE: RolloutState = { rollout: { phase: 'Idle', step: -1, trafficPercent: 0 } };

/** The rollout state recorded in status, which is all a restarted operator needs to resume. */
function recordedState(status: VerificationServiceStatus | undefined): RolloutState {
  return {
    ...(status?.stableModel ? { stableModel: status.stableModel } : {}),
    ...(status?.canaryModel ? { canaryModel: status.canaryModel } : {}),
    rollout: status?.rollout ?? IDLE.rollout,
  };
}

/**
 * After a promotion the old canary keeps serving until stable has rolled to the new
 * model, so capacity does not dip by the canary's share during the rolling update.
 */
function keepPromotedCanary(
  desired: DesiredState,
  state: RolloutState,
  stable: DeploymentView,
  canary: DeploymentView,
): DesiredState {
  const stableCaughtUp = stable.model === state.stableModel && stable.complete;
  if (state.canaryModel || !canary.exists || stableCaughtUp || state.rollout.phase !== 'Promoted')
    return desired;
  return {
    ...desired,
    prune: desired.prune.filter(
      (ref) => !(ref.kind === 'Deployment' && ref.name.endsWith('-canary')),
    ),
  };
}

/** Reconciles one VerificationService: rollout, scaling, children, status. */
export class VerificationServiceReconciler {
  private readonly scaler: ConcurrencyScaler;

  constructor(private readonly deps: ReconcilerDeps) {
    this.scaler = new ConcurrencyScaler(deps.metrics, deps.demand);
  }

  private async model(namespace: string, name: string | undefined): Promise<FaceModel | undefined> {
    if (!name) return undefined;
    return (await this.deps.client.get(Resources.FaceModel, namespace, name)) as unknown as
      FaceModel | undefined;
  }

  private async deployment(
    namespace: string,
    name: string,
    track: 'stable' | 'canary',
  ): Promise<DeploymentView> {
    return deploymentView(
      await this.deps.client.get(Resources.Deployment, namespace, deploymentName(name, track)),
    );
  }

  async reconcile(namespace: string, name: string): Promise<ReconcileResult> {
    const { client, events } = this.deps;
    const object = await client.get(Resources.VerificationService, namespace, name);
    if (!object || object.metadata.deletionTimestamp) {
      // Children carry owner references; the garbage collector removes them.
      this.deps.demand.forget(`${namespace}/${name}`);
      return {};
    }
    const service = object as unknown as VerificationService;
    const spec = resolveSpec(service.spec);
    const time = this.deps.now();
    const target = await this.model(namespace, spec.modelRef);
    const previous = recordedState(service.status);
    const [stable, canary] = [
      await this.deployment(namespace, name, 'stable'),
      await this.deployment(namespace, name, 'canary'),
    ];

    // Each step is judged on its own traffic: the counters' increase since the step began.
    // Stable's version as recorded, for when its FaceModel is gone (see DesiredInput).
    const recordedStableVersion =
      service.status?.stableModel === previous.stableModel
        ? service.status?.stableVersion
        : undefined;
    const observed = analysisDue(spec, previous, time)
      ? await this.observe(namespace, name, previous, recordedStableVersion)
      : undefined;
    const baseline = previous.rollout.baseline;
    const analysis = observed
      ? analyze(
          summarizeTotals(since(observed.canary, baseline?.canary)),
          summarizeTotals(since(observed.stable, baseline?.stable)),
          spec.rollout.analysis,
          time,
        )
      : undefined;
    const decision = planRollout({
      spec,
      state: previous,
      targetModel: modelState(target),
      canaryReady: canary.complete,
      ...(analysis ? { analysis } : {}),
      now: time,
    });
    const state = await this.withBaseline(
      decision.state,
      previous,
      observed,
      namespace,
      name,
      recordedStableVersion,
    );
    if (decision.event) {
      await events.record(
        object,
        decision.event.warning ? 'Warning' : 'Normal',
        decision.event.reason,
        decision.event.message,
      );
    }

    const byName = async (model: string | undefined): Promise<FaceModel | undefined> =>
      model === target?.metadata.name ? target : this.model(namespace, model);
    const [stableModel, canaryModel] = [
      await byName(state.stableModel),
      await byName(state.canaryModel),
    ];
    const autoscaler =
      spec.autoscaling?.mode === 'concurrency'
        ? await this.scaler.scale(
            namespace,
            name,
            spec.autoscaling,
            service.status?.autoscaler,
            stable.desired,
            time,
          )
        : undefined;
    const total = autoscaler?.desiredReplicas ?? fixedReplicas(spec, stable);
    const split = splitTraffic(
      total,
      canaryModel ? state.rollout.trafficPercent : 0,
      spec.exposure?.httpRoute !== undefined,
    );

    let applyError: string | undefined;
    if (stableModel || (state.stableModel && stable.exists)) {
      try {
        const desired = desiredState({
          namespace,
          service: name,
          owner: controllerRef(object),
          spec,
          stableModel,
          canaryModel,
          stableReplicas: split.stableReplicas,
          canaryReplicas: split.canaryReplicas,
          canaryWeight: split.canaryPercent,
          stableDeploymentExists: stable.exists,
          settings: this.deps.settings,
        });
        await applyChildren(
          client,
          keepPromotedCanary(desired, state, stable, canary),
          namespace,
          object.metadata.uid ?? '',
        );
      } catch (error) {
        applyError = (error as Error).message;
      }
    }

    const status = serviceStatus({
      namespace,
      name,
      generation: object.metadata.generation ?? 0,
      spec,
      previousConditions: service.status?.conditions,
      state,
      targetState: modelState(target),
      targetMessage: findCondition(target?.status?.conditions, ConditionType.Verified)?.message,
      stableModel,
      recordedStableVersion:
        state.stableModel === previous.stableModel ? recordedStableVersion : undefined,
      canaryModel,
      split,
      stableReady: stable.ready,
      canaryReady: canary.ready,
      autoscaler,
      applyError,
      now: time,
    });
    await writeStatus(client, Resources.VerificationService, object, service.status, status);
    await recordTransitions(events, object, service.status?.conditions, status.conditions ?? []);
    // Status already says ApplyFailed; throwing hands the key to the queue's backoff.
    if (applyError) throw new Error(applyError);
    return this.requeue(spec, state, time);
  }

  /** A step whose clock just started records both tracks' counters as its baseline. */
  private async withBaseline(
    state: RolloutState,
    previous: RolloutState,
    observed: TrackTotals | undefined,
    namespace: string,
    name: string,
    recordedStableVersion: string | undefined,
  ): Promise<RolloutState> {
    const started = state.rollout.stepStartedAt;
    if (!started || started === previous.rollout.stepStartedAt) return state;
    const baseline =
      observed ?? (await this.observe(namespace, name, state, recordedStableVersion));
    return baseline ? { ...state, rollout: { ...state.rollout, baseline } } : state;
  }

  /**
   * Both tracks' counters now, by the version each should serve; undefined without the
   * canary's model or a version for stable (its FaceModel's, else the one recorded).
   */
  private async observe(
    namespace: string,
    service: string,
    state: RolloutState,
    recordedStableVersion: string | undefined,
  ): Promise<TrackTotals | undefined> {
    const [canaryModel, stableModel] = [
      await this.model(namespace, state.canaryModel),
      await this.model(namespace, state.stableModel),
    ];
    const stableVersion = stableModel?.spec.version ?? recordedStableVersion;
    if (!canaryModel || !stableVersion) return undefined;
    const [canary, stable] = await Promise.all([
      this.deps.metrics.scrape({ namespace, service, track: 'canary' }),
      this.deps.metrics.scrape({ namespace, service, track: 'stable' }),
    ]);
    return {
      canary: totals(canary, canaryModel.spec.version),
      stable: totals(stable, stableVersion),
    };
  }

  private requeue(spec: ResolvedSpec, state: RolloutState, time: Date): ReconcileResult {
    const delays: number[] = [];
    const due = nextAnalysisAt(spec, state);
    if (due && !spec.rollout.paused) {
      // Past due means the analysis could not run (a model went missing): try again later.
      const wait = due.getTime() - time.getTime();
      delays.push(wait > 0 ? wait : reanalysisIntervalMs(spec));
    }
    if (spec.autoscaling?.mode === 'concurrency') delays.push(this.deps.autoscaleIntervalMs);
    return delays.length > 0 ? { requeueAfterMs: Math.min(...delays) } : {};
  }
}

/** Replicas when the operator does not autoscale: the spec's, or what the HPA chose. */
function fixedReplicas(spec: ResolvedSpec, stable: DeploymentView): number {
  if (spec.autoscaling?.mode === 'hpa') return Math.max(spec.autoscaling.min, stable.desired);
  return spec.replicas;
}
