import type { V1Container, V1EnvVar, V1Volume } from '@kubernetes/client-node';
import type { FaceModel } from '../api/face-model.js';
import { restrictedContainerSecurityContext } from './security.js';

/** Where the verifier image keeps built-in bundles (`models/<name>/<version>/`). */
export const BUILTIN_MODELS_DIR = '/app/models';
/** Where a fetched bundle is unpacked: an emptyDir shared by the init container and the verifier. */
export const FETCHED_MODEL_DIR = '/models';

/** How a pod gets its model: env for the verifier, plus an init container and volume for remote bundles. */
export interface BundleWiring {
  env: V1EnvVar[];
  initContainers: V1Container[];
  volumes: V1Volume[];
  mounts: Array<{ name: string; mountPath: string; readOnly: boolean }>;
}

/**
 * The script run by the fetch container. It verifies before unpacking, so a tampered
 * archive never reaches the verifier; `curl --aws-sigv4` covers s3-compatible stores.
 */
export const FETCH_SCRIPT = [
  'set -eu',
  'if [ -n "${AWS_ACCESS_KEY_ID:-}" ]; then',
  '  curl -fsSL --retry 3 --aws-sigv4 "aws:amz:${S3_REGION}:s3" --user "${AWS_ACCESS_KEY_ID}:${AWS_SECRET_ACCESS_KEY}" -o /tmp/bundle.tgz "$BUNDLE_URL"',
  'else',
  '  curl -fsSL --retry 3 -o /tmp/bundle.tgz "$BUNDLE_URL"',
  'fi',
  'echo "$BUNDLE_SHA256  /tmp/bundle.tgz" | sha256sum -c -',
  'if [ -d /models ]; then tar -xzf /tmp/bundle.tgz -C /models; fi',
].join('\n');

/** Turns `s3://bucket/key` into a path-style URL on the configured endpoint; https passes through. */
export function bundleUrl(model: FaceModel): string {
  const source = model.spec.source;
  if (!source) throw new Error(`FaceModel ${model.metadata.name} has no source`);
  if (!source.uri.startsWith('s3://')) return source.uri;
  if (!source.s3)
    throw new Error(`FaceModel ${model.metadata.name}: s3:// needs spec.source.s3.endpoint`);
  const endpoint = source.s3.endpoint.replace(/\/+$/, '');
  return `${endpoint}/${source.uri.slice('s3://'.length)}`;
}

/** Env of the fetch container, shared by pods and the FaceModel verification Job. */
export function fetchEnv(model: FaceModel): V1EnvVar[] {
  const source = model.spec.source;
  if (!source) return [];
  const env: V1EnvVar[] = [
    { name: 'BUNDLE_URL', value: bundleUrl(model) },
    { name: 'BUNDLE_SHA256', value: source.sha256 },
    { name: 'S3_REGION', value: source.s3?.region ?? 'us-east-1' },
  ];
  const secret = source.s3?.credentialsSecret;
  if (secret) {
    env.push(
      {
        name: 'AWS_ACCESS_KEY_ID',
        valueFrom: { secretKeyRef: { name: secret, key: 'accessKeyId' } },
      },
      {
        name: 'AWS_SECRET_ACCESS_KEY',
        valueFrom: { secretKeyRef: { name: secret, key: 'secretAccessKey' } },
      },
    );
  }
  return env;
}

/** Name of the fetch-and-verify container, in pods and in the verification Job. */
export const FETCH_CONTAINER = 'fetch-model';

/** The fetch-and-verify container; with `unpack` false it only checks the sha256 (verification Job). */
export function fetchContainer(
  model: FaceModel,
  fetcherImage: string,
  unpack: boolean,
): V1Container {
  return {
    name: FETCH_CONTAINER,
    image: fetcherImage,
    command: ['/bin/sh', '-c', FETCH_SCRIPT],
    env: fetchEnv(model),
    securityContext: restrictedContainerSecurityContext(),
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    volumeMounts: [
      { name: 'fetch-tmp', mountPath: '/tmp' },
      ...(unpack ? [{ name: 'model', mountPath: FETCHED_MODEL_DIR }] : []),
    ],
  };
}

/**
 * Calibration overrides: the liveness threshold maps onto the verifier's LIVENESS_THRESHOLD;
 * a verification table travels as JSON for verifiers that read it (the bundle's own
 * calibration applies otherwise).
 */
function calibrationEnv(model: FaceModel): V1EnvVar[] {
  const calibration = model.spec.calibration;
  const env: V1EnvVar[] = [];
  if (calibration?.liveness)
    env.push({ name: 'LIVENESS_THRESHOLD', value: String(calibration.liveness.threshold) });
  if (calibration?.verification)
    env.push({
      name: 'SILENTID_VERIFICATION_CALIBRATION',
      value: JSON.stringify(calibration.verification),
    });
  return env;
}

/** Wires a FaceModel into a pod: a path inside the image for built-ins, a verified fetch otherwise. */
export function bundleWiring(model: FaceModel, fetcherImage: string): BundleWiring {
  const calibration = calibrationEnv(model);
  const builtin = model.spec.builtin;
  if (builtin) {
    return {
      env: [
        {
          name: 'MODEL_BUNDLE_DIR',
          value: `${BUILTIN_MODELS_DIR}/${builtin.name}/${builtin.version}`,
        },
        ...calibration,
      ],
      initContainers: [],
      volumes: [],
      mounts: [],
    };
  }
  return {
    env: [{ name: 'MODEL_BUNDLE_DIR', value: FETCHED_MODEL_DIR }, ...calibration],
    initContainers: [fetchContainer(model, fetcherImage, true)],
    volumes: [
      { name: 'model', emptyDir: { sizeLimit: '2Gi' } },
      { name: 'fetch-tmp', emptyDir: { sizeLimit: '2Gi' } },
    ],
    mounts: [{ name: 'model', mountPath: FETCHED_MODEL_DIR, readOnly: true }],
  };
}
