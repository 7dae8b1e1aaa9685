import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/api/object-meta.js';
import { toJsonSchema, type OpenApiSchema } from './openapi-schema.js';

/** The chart's CRD directory, the one source of the custom resources' schemas. */
export const CRD_DIR = new URL('../../../charts/silentid/crds/', import.meta.url).pathname;

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: Array<{ name: string; schema: { openAPIV3Schema: OpenApiSchema } }>;
  };
}

/** Every CRD of the chart, parsed. */
export function loadCrds(dir = CRD_DIR): KubeObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as KubeObject),
    );
}

const ajv = new Ajv({ allErrors: true, strict: false });
const crValidators = new Map<string, ValidateFunction>();
for (const crd of loadCrds() as unknown as Crd[]) {
  for (const version of crd.spec.versions) {
    crValidators.set(
      `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`,
      ajv.compile(toJsonSchema(version.schema.openAPIV3Schema)),
    );
  }
}

type Model = new (data: unknown) => { validate(): void };

async function builtinModel(apiVersion: string, kind: string): Promise<Model> {
  const module = apiVersion.startsWith('gateway.networking.k8s.io/')
    ? `@kubernetes-models/gateway-api/${apiVersion}/${kind}`
    : `kubernetes-models/${apiVersion}/${kind}`;
  const loaded = (await import(module)) as Record<string, Model>;
  const model = loaded[kind];
  if (!model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return model;
}

/** Validates one object against the Kubernetes (or Gateway API, or chart CRD) schema of its kind. */
export async function validateObject(object: KubeObject): Promise<void> {
  const where = `${object.kind} ${object.metadata.name}`;
  const cr = crValidators.get(`${object.apiVersion}/${object.kind}`);
  if (cr) {
    if (!cr(object)) throw new Error(`${where}: ${ajv.errorsText(cr.errors)}`);
    return;
  }
  const Model = await builtinModel(object.apiVersion, object.kind);
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
  }
}
