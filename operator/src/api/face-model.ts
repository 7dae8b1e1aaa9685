import type { Condition, ObjectMeta } from './object-meta.js';

/** A bundle shipped inside the verifier image under `models/<name>/<version>/`. */
export interface BuiltinSource {
  name: string;
  version: string;
}

/** A bundle archive (tar.gz holding bundle.yaml and its ONNX files) fetched at pod start. */
export interface RemoteSource {
  /** `https://…` or `s3://bucket/key` (then `s3.endpoint` is required). */
  uri: string;
  /** Hex sha256 of the archive; pods refuse to start on a mismatch. */
  sha256: string;
  s3?: {
    endpoint: string;
    region?: string;
    /** Secret with `accessKeyId` and `secretAccessKey`, in the FaceModel's namespace. */
    credentialsSecret?: string;
  };
}

/** Piecewise-linear map from a raw value to a calibrated score in [0, 1]. */
export interface CalibrationTable {
  points: Array<[raw: number, score: number]>;
}

export interface Calibration {
  verification?: CalibrationTable;
  liveness?: { threshold: number };
}

export interface FaceModelSpec {
  /** Human-facing version reported in `X-Model-Version` and metrics labels. */
  version: string;
  builtin?: BuiltinSource;
  source?: RemoteSource;
  calibration?: Calibration;
}

export interface FaceModelStatus {
  observedGeneration?: number;
  conditions?: Condition[];
}

/** One immutable model bundle version. */
export interface FaceModel {
  apiVersion: 'silentid.dev/v1alpha1';
  kind: 'FaceModel';
  metadata: ObjectMeta;
  spec: FaceModelSpec;
  status?: FaceModelStatus;
}
