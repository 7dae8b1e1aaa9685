/**
 * Rewrites an ONNX graph exported for one image at a time so that it takes any number:
 * the leading dimension of its inputs and outputs becomes symbolic, and a Reshape whose
 * constant target starts with that 1 copies the input's leading dimension instead (0 in
 * Reshape's target means "as in the input"). What batching across requests needs
 * (runtime/batch-queue.ts); done at load so that a bundle's files and checksums stay the
 * publisher's. Whether a rewritten graph computes the same per image is not assumed: the
 * bundle's models are tested against single runs of the original (free-batch-dimension.test.ts).
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** The name the rewritten inputs and outputs give their leading dimension. */
export const BATCH_DIMENSION = 'batch';

export class FreeBatchError extends Error {
  override name = 'FreeBatchError';
}

/** The same model with a free batch dimension; throws FreeBatchError where it cannot tell how. */
export function freeBatchDimension(bytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (graph === null || graph === undefined) throw new FreeBatchError('the model has no graph');
  // Old exporters list initializers among the inputs too: those are weights, not batched.
  const initializers = graph.initializer ?? [];
  const nodes = graph.node ?? [];
  const weights = new Set(initializers.map((t) => t.name));
  for (const v of graph.input ?? []) if (!weights.has(v.name)) freeLeading(v);
  for (const v of graph.output ?? []) freeLeading(v);
  // Intermediate shapes recorded by the exporter are for batch 1; ORT infers them again.
  graph.valueInfo = [];
  const constants = new Map<string, TensorProto>();
  for (const t of initializers) constants.set(t.name ?? '', t);
  for (const n of nodes) {
    const value =
      n.opType === 'Constant' ? n.attribute?.find((a) => a.name === 'value')?.t : undefined;
    if (value !== null && value !== undefined) constants.set(n.output?.[0] ?? '', value);
  }
  for (const n of nodes) {
    if (n.opType !== 'Reshape') continue;
    const target = constants.get(n.input?.[1] ?? '');
    if (target === undefined) continue; // computed from the input's shape: already follows it
    if (n.attribute?.some((a) => a.name === 'allowzero' && Number(a.i) === 1)) {
      throw new FreeBatchError(`Reshape ${n.name ?? ''} has allowzero=1: 0 cannot copy the batch`);
    }
    zeroLeadingOne(target);
  }
  return onnx.ModelProto.encode(model).finish();
}

function freeLeading(v: ValueInfoProto): void {
  const dims = v.type?.tensorType?.shape?.dim;
  if (dims === undefined || dims === null || dims.length === 0) {
    throw new FreeBatchError(`${v.name ?? 'a value'} has no shape: its batch dimension is unknown`);
  }
  const first = dims[0]!;
  if (first.dimParam) return; // already free
  if (Number(first.dimValue) !== 1) {
    throw new FreeBatchError(`${v.name ?? 'a value'} leads with ${String(first.dimValue)}, not 1`);
  }
  dims[0] = onnx.TensorShapeProto.Dimension.create({ dimParam: BATCH_DIMENSION });
}

/** A constant int64 Reshape target [1, …] becomes [0, …]. */
function zeroLeadingOne(t: TensorProto): void {
  if (t.dataType !== onnx.TensorProto.DataType.INT64) return;
  if (t.int64Data !== null && t.int64Data !== undefined && t.int64Data.length > 0) {
    if (Number(t.int64Data[0]) === 1) t.int64Data[0] = 0;
    return;
  }
  const raw = t.rawData;
  if (raw === null || raw === undefined || raw.length < 8) return;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (view.getBigInt64(0, true) !== 1n) return;
  // A copy: the decoded bytes may be a view into the caller's buffer.
  const copy = new Uint8Array(raw);
  new DataView(copy.buffer).setBigInt64(0, 0n, true);
  t.rawData = copy;
}
