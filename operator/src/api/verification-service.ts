import type { Condition, ObjectMeta } from './object-meta.js';

export interface ResourceList {
  cpu?: string;
  memory?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface AcceleratorSpec {
  /** GPUs per pod, set as `nvidia.com/gpu` limits; 0 runs on CPU. */
  gpus: number;
  /**
   * onnxruntime's execution provider in the pods (ORT_EXECUTION_PROVIDER): `cuda` on
   * NVIDIA GPUs, `webgpu` on any GPU with a Vulkan driver. Default: `cuda` with GPUs,
   * else `cpu`. A provider that cannot load falls back to CPU, loudly.
   */
  executionProvider?: 'cpu' | 'webgpu' | 'cuda';
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  runtimeClassName?: string;
}

export interface HpaAutoscaling {
  mode: 'hpa';
  min: number;
  max: number;
  /** Target average CPU utilisation in percent of requests. */
  cpuUtilization?: number;
  /** Target average of a pods metric served by a metrics adapter, e.g. `silentid_inflight_requests`. */
  podsMetric?: { name: string; averageValue: string };
}

export interface ConcurrencyAutoscaling {
  mode: 'concurrency';
  min: number;
  max: number;
  /** In-flight requests per pod the operator aims for. */
  target: number;
  /** Averaging window for normal scaling (default 60). */
  stableWindowSeconds?: number;
  /** Short window that detects bursts (default 6). */
  panicWindowSeconds?: number;
  /** Panic mode starts when short-window demand exceeds this multiple of current capacity (default 2). */
  panicThreshold?: number;
  /** How long demand must stay lower before replicas are removed (default 300). */
  scaleDownDelaySeconds?: number;
}

export type Autoscaling = HpaAutoscaling | ConcurrencyAutoscaling;

export interface ExposureSpec {
  service?: { type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer'; port?: number };
  ingress?: {
    className?: string;
    host: string;
    path?: string;
    tlsSecretName?: string;
    annotations?: Record<string, string>;
  };
  /** A Gateway API HTTPRoute attached to an existing Gateway; rollouts then shift traffic by weights. */
  httpRoute?: {
    parentRefs: Array<{ name: string; namespace?: string; sectionName?: string }>;
    hostnames?: string[];
  };
}

export interface AnalysisThresholds {
  /** Highest share of 5xxx-coded responses the canary may return. */
  maxErrorRate: number;
  /** Highest canary p95 latency, in seconds. */
  maxP95LatencySeconds: number;
  /** Largest absolute difference in liveness pass rate between canary and stable. */
  maxLivenessPassRateDelta: number;
  /** Largest absolute difference in mean liveness score between canary and stable. */
  maxLivenessScoreDrift: number;
  /** Fewer canary requests than this in a step means "not enough evidence yet". */
  minRequests: number;
}

/** The rollout policy as written; every field has a default (see `resolveSpec`). */
export interface RolloutPolicySpec {
  /** Canary traffic percentages, ascending; 100 is implied as the final promotion. */
  steps?: number[];
  /** Time each step runs before its analysis decides. */
  pauseSeconds?: number;
  analysis?: Partial<AnalysisThresholds>;
  /** Freeze at the current step; no promotion or rollback happens while set. */
  paused?: boolean;
  /** Remove the canary and send all traffic to stable; the canary model is marked rejected. */
  abort?: boolean;
}

/** The rollout policy with defaults filled in. */
export interface RolloutPolicy extends RolloutPolicySpec {
  steps: number[];
  pauseSeconds: number;
  analysis: AnalysisThresholds;
}

export interface KeyRingRef {
  /** Secret with keys `key`, `nonce` and optional `previousKey`, `previousNonce`. */
  secretName: string;
}

/** OpenTelemetry traces of the verifier pods, sent over OTLP/HTTP. */
export interface TracingSpec {
  /** The collector's OTLP/HTTP base URL, e.g. `http://otel-collector.observability:4318`. */
  otlpEndpoint: string;
  /** `service.name` of the spans (default: the VerificationService's name). */
  serviceName?: string;
}

export interface VerificationServiceSpec {
  /** Name of the FaceModel to serve, in the same namespace. */
  modelRef: string;
  image: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** Replicas without autoscaling (default 1). */
  replicas?: number;
  autoscaling?: Autoscaling;
  accelerator?: AcceleratorSpec;
  resources?: { requests?: ResourceList; limits?: ResourceList };
  keyRing: KeyRingRef;
  exposure?: ExposureSpec;
  rollout?: RolloutPolicySpec;
  tracing?: TracingSpec;
  /**
   * The verifier's own settings for the pods (README, "Configuration"), e.g. TRUST_PROXY
   * or RATE_LIMIT_PER_MINUTE. Names in `OPERATOR_ENV` are set from other fields instead.
   */
  env?: Array<{ name: string; value: string }>;
}

export type RolloutPhase =
  'Idle' | 'Progressing' | 'Paused' | 'Promoted' | 'RolledBack' | 'Aborted';

/** What the last analysis saw and decided. */
export interface AnalysisResult {
  verdict: 'Pass' | 'Fail' | 'Inconclusive';
  reasons: string[];
  canary: MetricsSummaryStatus;
  stable: MetricsSummaryStatus;
  time: string;
}

export interface MetricsSummaryStatus {
  requests: number;
  errorRate: number;
  p95LatencySeconds: number | null;
  livenessPassRate: number | null;
  meanLivenessScore: number | null;
}

/** Raw counters of one track, summed over its pods; kept at each step start to judge the step alone. */
export interface MetricTotals {
  requests: number;
  errors: number;
  livenessPassed: number;
  livenessDecisions: number;
  livenessScoreSum: number;
  livenessScoreCount: number;
  /** Cumulative request-duration bucket counts by `le` bound ("+Inf" included). */
  latencyBuckets: Record<string, number>;
}

export interface RolloutStatus {
  phase: RolloutPhase;
  /** Index into spec.rollout.steps; -1 when no rollout runs. */
  step: number;
  trafficPercent: number;
  stepStartedAt?: string;
  /** A model the operator rolled back from (or that was aborted); not retried until modelRef changes. */
  rejectedModel?: string;
  /** Both tracks' counters when the current step started. */
  baseline?: { canary: MetricTotals; stable: MetricTotals };
  lastAnalysis?: AnalysisResult;
  message?: string;
}

export interface AutoscalerStatus {
  desiredReplicas: number;
  lastScaleTime?: string;
  panicUntil?: string;
}

export interface VerificationServiceStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  stableModel?: string;
  stableVersion?: string;
  canaryModel?: string;
  canaryVersion?: string;
  rollout?: RolloutStatus;
  replicas?: number;
  readyReplicas?: number;
  autoscaler?: AutoscalerStatus;
  url?: string;
}

/** A serving deployment of one FaceModel, rolled out progressively. */
export interface VerificationService {
  apiVersion: 'silentid.dev/v1alpha1';
  kind: 'VerificationService';
  metadata: ObjectMeta;
  spec: VerificationServiceSpec;
  status?: VerificationServiceStatus;
}
