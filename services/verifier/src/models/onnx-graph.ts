/**
 * A few builders for ONNX graphs assembled in code from another framework's weights
 * (dlib-resnet-onnx.ts; research conversions under e2e/eval/cue-research): nodes get
 * generated names, weights go in as initializers.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface Graph {
  nodes: InstanceType<typeof onnx.NodeProto>[];
  initializers: InstanceType<typeof onnx.TensorProto>[];
  /** The next generated name's number. */
  next: number;
}

export type Attribute = InstanceType<typeof onnx.AttributeProto>;

export const floatTensor = (name: string, dims: readonly number[], values: Float32Array) =>
  onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType: onnx.TensorProto.DataType.FLOAT,
    // A view, not a copy: weights can be tens of MB, built once at start-up.
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  });

export const int64Tensor = (name: string, values: readonly number[]) =>
  onnx.TensorProto.create({
    name,
    dims: [values.length],
    dataType: onnx.TensorProto.DataType.INT64,
    int64Data: [...values],
  });

export const ints = (name: string, values: readonly number[]): Attribute =>
  onnx.AttributeProto.create({
    name,
    type: onnx.AttributeProto.AttributeType.INTS,
    ints: [...values],
  });

export const int = (name: string, value: number): Attribute =>
  onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });

export const float = (name: string, value: number): Attribute =>
  onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value });

/** Appends a single-output node and returns its output's name. */
export function node(
  g: Graph,
  opType: string,
  inputs: readonly string[],
  attribute: Attribute[] = [],
  output = `t${g.next++}`,
): string {
  g.nodes.push(
    onnx.NodeProto.create({
      opType,
      input: [...inputs],
      output: [output],
      name: output,
      attribute,
    }),
  );
  return output;
}
