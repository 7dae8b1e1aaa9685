/** An OpenAPI v3 schema node as CRDs write it. */
export type OpenApiSchema = { [keyword: string]: unknown };

/**
 * Turns a CRD's structural OpenAPI v3 schema into JSON Schema for ajv: boolean
 * exclusiveMinimum becomes numeric, int-or-string becomes a union, and Kubernetes'
 * x- extensions (CEL included, which only a real API server evaluates) are dropped.
 */
export function toJsonSchema(node: OpenApiSchema): OpenApiSchema {
  const out: OpenApiSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'default' || key === 'format') continue;
    if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, OpenApiSchema>).map(([k, v]) => [
          k,
          toJsonSchema(v),
        ]),
      );
    } else if (
      (key === 'items' || key === 'additionalProperties') &&
      value &&
      typeof value === 'object'
    ) {
      out[key] = toJsonSchema(value as OpenApiSchema);
    } else if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') {
      continue;
    } else {
      out[key] = value;
    }
  }
  if (node.exclusiveMinimum === true && typeof node.minimum === 'number') {
    out.exclusiveMinimum = node.minimum;
    delete out.minimum;
  }
  if (node['x-kubernetes-int-or-string'] === true)
    return { anyOf: [{ type: 'integer' }, { type: 'string' }] };
  if (node.type === 'object' && !node.properties && !node.additionalProperties) {
    return { ...out, additionalProperties: true };
  }
  // Structural schemas prune unknown fields; rejecting them is the stricter, safer check.
  if (
    node.type === 'object' &&
    node.properties &&
    !node['x-kubernetes-preserve-unknown-fields'] &&
    !node.additionalProperties
  ) {
    out.additionalProperties = false;
  }
  return out;
}
