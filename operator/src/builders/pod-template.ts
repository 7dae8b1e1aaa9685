import type { V1Container, V1EnvVar, V1PodTemplateSpec, V1Probe } from '@kubernetes/client-node';
import type { FaceModel } from '../api/face-model.js';
import type { ResolvedSpec } from '../api/defaults.js';
import { bundleWiring } from './model-bundle.js';
import { podLabels, type Track } from './labels.js';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './security.js';

/** The verifier's HTTP port, named so Services and probes refer to it by name. */
export const HTTP_PORT = 3000;
export const HTTP_PORT_NAME = 'http';

/** Settings that come from the operator's own configuration, not from the resource. */
export interface OperatorSettings {
  /** Image with curl, sha256sum and tar, used to fetch remote bundles. */
  fetcherImage: string;
}

function httpProbe(path: string, periodSeconds: number, failureThreshold: number): V1Probe {
  return {
    httpGet: { path, port: HTTP_PORT_NAME },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 2,
  };
}

function keyRingEnv(secretName: string): V1EnvVar[] {
  const ref = (name: string, key: string, optional: boolean): V1EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: secretName, key, optional } },
  });
  return [
    ref('SILENTID_KEY', 'key', false),
    ref('SILENTID_NONCE', 'nonce', false),
    ref('SILENTID_PREVIOUS_KEY', 'previousKey', true),
    ref('SILENTID_PREVIOUS_NONCE', 'previousNonce', true),
  ];
}

/**
 * The verifier's OpenTelemetry variables: the endpoint turns tracing on; each track is a
 * resource attribute, so a canary's spans can be told from the stable track's.
 */
function tracingEnv(service: string, track: Track, tracing: ResolvedSpec['tracing']): V1EnvVar[] {
  if (tracing === undefined) return [];
  return [
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: tracing.otlpEndpoint },
    { name: 'OTEL_SERVICE_NAME', value: tracing.serviceName ?? service },
    { name: 'OTEL_RESOURCE_ATTRIBUTES', value: `silentid.track=${track}` },
  ];
}

/**
 * Variables the operator derives from a VerificationService's other fields (the CRD
 * refuses them in spec.env, as it does OTEL_*): a user's value would contradict them.
 */
export const OPERATOR_ENV: readonly string[] = [
  'PORT',
  'FFMPEG_PATH',
  'FFPROBE_PATH',
  'ORT_EXECUTION_PROVIDER',
  'MODEL_BUNDLE_DIR',
  'SILENTID_KEY',
  'SILENTID_NONCE',
  'SILENTID_PREVIOUS_KEY',
  'SILENTID_PREVIOUS_NONCE',
  'LIVENESS_THRESHOLD',
  'SILENTID_VERIFICATION_CALIBRATION',
  'XDG_RUNTIME_DIR',
];

/** spec.env without what the operator sets itself. */
function userEnv(spec: ResolvedSpec): V1EnvVar[] {
  return (spec.env ?? []).filter(
    (e) => !OPERATOR_ENV.includes(e.name) && !e.name.startsWith('OTEL_'),
  );
}

function verifierContainer(
  spec: ResolvedSpec,
  env: V1EnvVar[],
  mounts: V1Container['volumeMounts'],
): V1Container {
  const gpus = spec.accelerator?.gpus ?? 0;
  const provider = spec.accelerator?.executionProvider ?? (gpus > 0 ? 'cuda' : 'cpu');
  const limits: Record<string, string> = { ...spec.resources?.limits };
  if (gpus > 0) limits['nvidia.com/gpu'] = String(gpus);
  return {
    name: 'verifier',
    image: spec.image,
    imagePullPolicy: spec.imagePullPolicy ?? 'IfNotPresent',
    ports: [{ name: HTTP_PORT_NAME, containerPort: HTTP_PORT, protocol: 'TCP' }],
    env: [
      { name: 'PORT', value: String(HTTP_PORT) },
      { name: 'FFMPEG_PATH', value: '/usr/bin/ffmpeg' },
      { name: 'FFPROBE_PATH', value: '/usr/bin/ffprobe' },
      { name: 'ORT_EXECUTION_PROVIDER', value: provider },
      // The Vulkan loader under WebGPU needs a private writable runtime folder. (Its
      // sessions live on the main thread; frame workers run them there, decision 0024.)
      ...(provider === 'webgpu' ? [{ name: 'XDG_RUNTIME_DIR', value: '/tmp' }] : []),
      ...env,
      ...keyRingEnv(spec.keyRing.secretName),
      ...userEnv(spec),
    ],
    // Models load and warm before /readyz turns ready; the startup probe gives that time
    // without making the liveness probe lenient for the pod's whole life.
    startupProbe: httpProbe('/readyz', 5, 60),
    livenessProbe: httpProbe('/healthz', 10, 3),
    readinessProbe: httpProbe('/readyz', 5, 2),
    resources: {
      requests: { cpu: '1', memory: '1Gi', ...spec.resources?.requests },
      ...(Object.keys(limits).length > 0 ? { limits } : {}),
    },
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(mounts ?? [])],
  };
}

/** The pod template of one track serving one FaceModel. */
export function podTemplate(
  service: string,
  track: Track,
  spec: ResolvedSpec,
  model: FaceModel,
  settings: OperatorSettings,
): V1PodTemplateSpec {
  const bundle = bundleWiring(model, settings.fetcherImage);
  const labels = podLabels(service, track, model.metadata.name);
  const accelerator = spec.accelerator;
  return {
    metadata: {
      labels,
      annotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(HTTP_PORT),
        'prometheus.io/path': '/metrics',
      },
    },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: restrictedPodSecurityContext(),
      ...(bundle.initContainers.length > 0 ? { initContainers: bundle.initContainers } : {}),
      containers: [
        verifierContainer(
          spec,
          [...bundle.env, ...tracingEnv(service, track, spec.tracing)],
          bundle.mounts,
        ),
      ],
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }, ...bundle.volumes],
      ...(accelerator?.nodeSelector ? { nodeSelector: accelerator.nodeSelector } : {}),
      ...(accelerator?.tolerations ? { tolerations: accelerator.tolerations } : {}),
      ...(accelerator?.runtimeClassName ? { runtimeClassName: accelerator.runtimeClassName } : {}),
      // Spread replicas over zones and nodes, but never leave a pod pending for it.
      topologySpreadConstraints: ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map(
        (topologyKey) => ({
          maxSkew: 1,
          topologyKey,
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: {
            matchLabels: { 'silentid.dev/service': service, 'silentid.dev/track': track },
          },
        }),
      ),
      terminationGracePeriodSeconds: 30,
    },
  };
}
