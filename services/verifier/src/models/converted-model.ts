/**
 * Components whose file is not ONNX but is rebuilt as ONNX at load. Today that is the
 * dlib descriptor (TF.js weights, docs/decisions/0009-dlib-descriptor-as-onnx.md).
 */
import type { ResolvedBundle } from './bundle-manifest.js';
import { buildDlibResnetOnnx } from './dlib-resnet-onnx.js';
import { readTfjsWeights } from './tfjs-weights.js';
import { checkConverted } from './verify-checksums.js';

/** The descriptor's ONNX model, checked against the manifest; undefined when the bundle has none. */
export async function descriptorModel(bundle: ResolvedBundle): Promise<Uint8Array | undefined> {
  const spec = bundle.manifest.components.descriptor;
  const file = bundle.files.descriptor;
  if (spec === undefined || file === undefined) return undefined;
  const model = buildDlibResnetOnnx(await readTfjsWeights(file));
  checkConverted(bundle, 'descriptor', file, model, spec.sha256);
  return model;
}
