import { resolveSpec, type ResolvedSpec } from '../api/defaults.js';
import type { FaceModel } from '../api/face-model.js';
import type { Condition, KubeObject } from '../api/object-meta.js';
import type {
  AutoscalerStatus,
  VerificationService,
  VerificationServiceStatus,
} from '../api/verification-service.js';
import { CONCURRENCY_DEFAULTS, desiredReplicas } from '../autoscale/concurrency.js';
import { desiredState } from '../builders/desired-state.js';
import { servicePort } from '../builders/exposure.js';
import { deploymentName } from '../builders/labels.js';
import { controllerRef } from '../builders/owner.js';
import type { OperatorSettings } from '../builders/pod-template.js';
import type { KubeClient } from '../kube/kube-client.js';
import { Resources } from '../kube/resource-types.js';
import { analyze } from '../rollout/analysis.js';
import { summarize } from '../rollout/metrics-summary.js';
import { analysisDue, nextAnalysisAt, planRollout, type RolloutState } from '../rollout/plan.js';
import { splitTraffic } from '../rollout/traffic.js';
import { mergeConditions } from '../status/conditions.js';
import { serviceConditions } from '../status/service-conditions.js';
import { applyChildren } from './children.js';
import type { DemandStore } from './demand-store.js';
import type { EventRecorder } from './event-recorder.js';
import type { MetricsSource } from './metrics-source.js';
import { deploymentView, modelState, type DeploymentView } from './observe.js';

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

const IDLE_STATE: RolloutState = { rollout: { phase: 'Idle', step: -1, trafficPercent: 0 } };

function rolloutState(status: VerificationServiceStatus | undefined): RolloutState {
  if (!status?.rollout)
    return status?.stableModel ? { ...IDLE_STATE, stableModel: status.stableModel } : IDLE_STATE;
  return {
    ...(status.stableModel ? { stableModel: status.stableModel } : {}),
    ...(status.canaryModel ? { canaryModel: status.canaryModel } : {}),
    rollout: status.rollout,
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Reconciles one VerificationService: rollout, scaling, children, status. */
export class VerificationServiceReconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  private async model(namespace: string, name: string | undefined): Promise<FaceModel | undefined> {
    if (!name) return undefined;
    return (await this.deps.client.get(Resources.FaceModel, namespace, name)) as unknown as
      FaceModel | undefined;
  }

  async reconcile(namespace: string, name: string): Promise<ReconcileResult> {
    const { client, now } = this.deps;
    const key = `${namespace}/${name}`;
    const object = await client.get(Resources.VerificationService, namespace, name);
    if (!object || object.metadata.deletionTimestamp) {
      // Children carry owner references; the garbage collector removes them.
      this.deps.demand.forget(key);
      return {};
    }
    const service = object as unknown as VerificationService;
    const spec = resolveSpec(service.spec);
    const time = now();
    const target = await this.model(namespace, spec.modelRef);
    const previous = rolloutState(service.status);
    const canaryDeployment = deploymentView(
      await client.get(Resources.Deployment, namespace, deploymentName(name, 'canary')),
    );
    const stableDeployment = deploymentView(
      await client.get(Resources.Deployment, namespace, deploymentName(name, 'stable')),
    );

    const analysis = analysisDue(spec, previous, time)
      ? await this.analyze(namespace, name, previous, time, spec)
      : undefined;
    const decision = planRollout({
      spec,
      state: previous,
      targetModel: modelState(target),
      canaryReady: canaryDeployment.complete,
      ...(analysis ? { analysis } : {}),
      now: time,
    });
    const state = decision.state;
    if (decision.event)
      await this.deps.events.record(
        object,
        decision.event.warning ? 'Warning' : 'Normal',
        decision.event.reason,
        decision.event.message,
      );

    const stableModel =
      state.stableModel === target?.metadata.name
        ? target
        : await this.model(namespace, state.stableModel);
    const canaryModel =
      state.canaryModel === target?.metadata.name
        ? target
        : await this.model(namespace, state.canaryModel);
    const autoscaler = await this.scale(
      key,
      namespace,
      name,
      spec,
      service.status?.autoscaler,
      stableDeployment,
      time,
    );
    const routed = spec.exposure?.httpRoute !== undefined;
    const split = splitTraffic(
      autoscaler?.desiredReplicas ?? this.fixedReplicas(spec, stableDeployment),
      canaryModel ? state.rollout.trafficPercent : 0,
      routed,
    );

    let applyError: string | undefined;
    if (stableModel) {
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
          settings: this.deps.settings,
        });
        await applyChildren(client, desired, namespace, object.metadata.uid ?? '');
      } catch (error) {
        applyError = (error as Error).message;
      }
    }

    const rollout = { ...state.rollout, trafficPercent: canaryModel ? split.canaryPercent : 0 };
    const conditions = mergeConditions(
      service.status?.conditions,
      serviceConditions({
        rollout,
        stableModel: state.stableModel,
        targetModel: spec.modelRef,
        targetState: modelState(target),
        stableDesired: split.stableReplicas,
        stableReady: stableDeployment.ready,
        canaryModel: state.canaryModel,
        ...(applyError ? { applyError } : {}),
      }),
      object.metadata.generation ?? 0,
      time,
    );
    const status: VerificationServiceStatus = {
      observedGeneration: object.metadata.generation ?? 0,
      conditions,
      ...(state.stableModel ? { stableModel: state.stableModel } : {}),
      ...(stableModel ? { stableVersion: stableModel.spec.version } : {}),
      ...(state.canaryModel ? { canaryModel: state.canaryModel } : {}),
      ...(canaryModel ? { canaryVersion: canaryModel.spec.version } : {}),
      rollout,
      replicas: split.stableReplicas + split.canaryReplicas,
      readyReplicas: stableDeployment.ready + (canaryModel ? canaryDeployment.ready : 0),
      ...(autoscaler ? { autoscaler } : {}),
      url: this.url(namespace, name, spec),
    };
    await this.writeStatus(object, service.status, status);
    await this.recordTransitions(object, service.status?.conditions, conditions);
    if (applyError) throw new Error(applyError);
    return { ...this.requeue(spec, state, time) };
  }

  private fixedReplicas(spec: ResolvedSpec, stable: DeploymentView): number {
    if (spec.autoscaling?.mode === 'hpa') return Math.max(spec.autoscaling.min, stable.desired);
    return spec.replicas;
  }

  private async analyze(
    namespace: string,
    service: string,
    state: RolloutState,
    time: Date,
    spec: ResolvedSpec,
  ) {
    const [canaryModel, stableModel] = [
      await this.model(namespace, state.canaryModel),
      await this.model(namespace, state.stableModel),
    ];
    if (!canaryModel || !stableModel) return undefined;
    const [canary, stable] = await Promise.all([
      this.deps.metrics.scrape({ namespace, service, track: 'canary' }),
      this.deps.metrics.scrape({ namespace, service, track: 'stable' }),
    ]);
    return analyze(
      summarize(canary, canaryModel.spec.version),
      summarize(stable, stableModel.spec.version),
      spec.rollout.analysis,
      time,
    );
  }

  /** Concurrency mode: sample in-flight demand across both tracks and decide replicas. */
  private async scale(
    key: string,
    namespace: string,
    service: string,
    spec: ResolvedSpec,
    previous: AutoscalerStatus | undefined,
    stable: DeploymentView,
    time: Date,
  ): Promise<AutoscalerStatus | undefined> {
    const policy = spec.autoscaling;
    if (policy?.mode !== 'concurrency') return undefined;
    const tracks = await Promise.all(
      ['stable', 'canary'].map((track) =>
        this.deps.metrics.scrape({ namespace, service, track: track as 'stable' | 'canary' }),
      ),
    );
    const inflight = tracks
      .flat()
      .filter((s) => s.name === 'silentid_inflight_requests' || s.name === 'silentid_queue_depth')
      .reduce((sum, s) => sum + s.value, 0);
    const windowMs =
      (policy.stableWindowSeconds ?? CONCURRENCY_DEFAULTS.stableWindowSeconds) * 1000;
    const samples = this.deps.demand.record(key, { time: time.getTime(), inflight }, windowMs);
    const remembered = this.deps.demand.state(key) ?? {
      replicas: previous?.desiredReplicas ?? Math.max(policy.min, stable.desired),
      ...(previous?.lastScaleTime ? { lastScaleTime: Date.parse(previous.lastScaleTime) } : {}),
    };
    const next = desiredReplicas(policy, samples, remembered, time.getTime());
    this.deps.demand.setState(key, next);
    return {
      desiredReplicas: next.replicas,
      ...(next.lastScaleTime !== undefined
        ? { lastScaleTime: new Date(next.lastScaleTime).toISOString() }
        : {}),
      ...(next.panicUntil !== undefined
        ? { panicUntil: new Date(next.panicUntil).toISOString() }
        : {}),
    };
  }

  private url(namespace: string, name: string, spec: ResolvedSpec): string {
    const ingress = spec.exposure?.ingress;
    if (ingress)
      return `${ingress.tlsSecretName ? 'https' : 'http'}://${ingress.host}${ingress.path ?? ''}`;
    return `http://${name}.${namespace}.svc:${servicePort(spec.exposure ?? {})}`;
  }

  /** Writes status only when it changed, so an idle service causes no writes. */
  private async writeStatus(
    object: KubeObject,
    before: VerificationServiceStatus | undefined,
    after: VerificationServiceStatus,
  ): Promise<void> {
    if (sameJson(before, after)) return;
    await this.deps.client.applyStatus(Resources.VerificationService, {
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: { name: object.metadata.name, namespace: object.metadata.namespace ?? '' },
      status: after,
    });
  }

  private async recordTransitions(
    object: KubeObject,
    before: Condition[] | undefined,
    after: Condition[],
  ): Promise<void> {
    for (const condition of after) {
      const old = before?.find((c) => c.type === condition.type);
      if (old && old.status === condition.status && old.reason === condition.reason) continue;
      if (!old && condition.status === 'False') continue;
      const warning =
        condition.type === 'Degraded' ? condition.status === 'True' : condition.status === 'False';
      await this.deps.events.record(
        object,
        warning ? 'Warning' : 'Normal',
        `${condition.type}${condition.status === 'True' ? '' : 'Not'}`,
        `${condition.reason}: ${condition.message}`,
      );
    }
  }

  private requeue(spec: ResolvedSpec, state: RolloutState, time: Date): ReconcileResult {
    const delays: number[] = [];
    const due = nextAnalysisAt(spec, state);
    if (due && !spec.rollout.paused) {
      // After an inconclusive analysis the step is already due; look again a quarter step later.
      delays.push(
        Math.max(
          due.getTime() - time.getTime(),
          Math.max(250, (spec.rollout.pauseSeconds * 1000) / 4),
        ),
      );
    }
    if (spec.autoscaling?.mode === 'concurrency') delays.push(this.deps.autoscaleIntervalMs);
    return delays.length > 0 ? { requeueAfterMs: Math.min(...delays) } : {};
  }
}
