import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiCode } from '../errors/api-error.js';
import { API_ENDPOINTS, openApiDocument, type OpenApiDocument } from './openapi.js';
import { verificationEndpoint } from './routes/verification.js';
import { flagField, parseForm } from './verify-form.js';

type Json = Record<string, unknown>;
const doc = openApiDocument('faceplugin-dlib@1.3.0');

/** Follows a local `$ref`; fails when it points nowhere. */
function deref(document: OpenApiDocument, node: Json): Json {
  const target = node.$ref;
  if (typeof target !== 'string') return node;
  const name = /^#\/components\/schemas\/(.+)$/.exec(target)?.[1];
  const schema = name === undefined ? undefined : document.components.schemas[name];
  assert.ok(schema, `${target} resolves`);
  return schema;
}

const formOf = (document: OpenApiDocument, path: string): Json => {
  const body = document.paths[path]?.post?.requestBody as {
    content: Record<string, { schema: Json }>;
  };
  const urlencoded = deref(document, body.content['application/x-www-form-urlencoded']!.schema);
  assert.deepEqual(deref(document, body.content['multipart/form-data']!.schema), urlencoded);
  return urlencoded;
};

/** Every `$ref` anywhere in the document, as a flat list. */
const refs = (node: unknown): string[] =>
  node === null || typeof node !== 'object'
    ? []
    : Object.entries(node).flatMap(([k, v]) => (k === '$ref' ? [v as string] : refs(v)));

test('the document has the shape of OpenAPI 3.1: info, operations with responses, refs that resolve', () => {
  assert.match(doc.openapi, /^3\.1\.\d+$/);
  assert.equal(doc.info.title, 'silentid');
  assert.match(doc.info.version, /^\d+\.\d+\.\d+/);
  assert.match(doc.info.description, /faceplugin-dlib@1\.3\.0/);
  assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc, 'plain JSON, nothing lost');
  const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
  for (const [path, item] of Object.entries(doc.paths)) {
    assert.match(path, /^\//);
    for (const [method, op] of Object.entries(item)) {
      assert.ok(methods.has(method), `${path}: ${method}`);
      const responses = Object.entries(op.responses as Record<string, { description?: unknown }>);
      assert.ok(responses.length > 0, `${method} ${path} has responses`);
      for (const [status, response] of responses) {
        assert.match(status, /^[1-5]\d\d$/);
        assert.equal(typeof response.description, 'string', `${method} ${path} ${status}`);
      }
    }
  }
  for (const schema of Object.values(doc.components.schemas)) {
    assert.equal(schema.type, 'object');
    assert.equal(schema.$schema, undefined, 'no dialect line inside an OpenAPI document');
  }
  for (const target of refs(doc)) deref(doc, { $ref: target });
});

test('every API endpoint is there, its request body the zod form that validates its requests', () => {
  for (const endpoint of API_ENDPOINTS) {
    const form = formOf(doc, endpoint.path);
    assert.deepEqual(Object.keys(form.properties as Json), Object.keys(endpoint.form.shape));
    // The required fields are exactly those the form refuses when missing.
    for (const field of form.required as string[]) {
      const all = Object.fromEntries((form.required as string[]).map((f) => [f, 'x']));
      delete all[field];
      assert.throws(() => parseForm(endpoint.form, all), { message: `${field} is required` });
    }
    // Every documented boolean value is one the form accepts.
    for (const [field, schema] of Object.entries(form.properties as Record<string, Json>)) {
      for (const value of (schema.enum as string[] | undefined) ?? []) {
        const fields = Object.fromEntries((form.required as string[]).map((f) => [f, 'x']));
        assert.doesNotThrow(() => parseForm(endpoint.form, { ...fields, [field]: value }));
      }
      assert.equal(typeof schema.description, 'string', `${endpoint.path}: ${field}`);
    }
  }
});

test('a field added to a zod form shows up in the document, with its description', () => {
  const extended = {
    ...verificationEndpoint,
    form: verificationEndpoint.form.extend({ return_landmarks: flagField('Return landmarks') }),
  };
  const form = formOf(openApiDocument('m', [extended]), extended.path);
  const added = (form.properties as Record<string, Json>).return_landmarks;
  assert.ok(added, 'the new field is documented');
  assert.match(added.description as string, /^Return landmarks/);
  assert.equal(added.default, 'false');
  assert.ok(!(form.required as string[]).includes('return_landmarks'));
});

test('answers: the 200 schema is the answer schema, with an example; errors list every API code', () => {
  const op = doc.paths[verificationEndpoint.path]!.post!;
  const ok = (op.responses as Record<string, { content: Record<string, Json> }>)['200']!;
  const json = ok.content['application/json']!;
  const answer = deref(doc, json.schema as Json);
  assert.deepEqual(answer.required, ['code', 'passed', 'liveness_score', 'request_id']);
  assert.equal((answer.properties as Record<string, Json>).code!.const, 1000);
  assert.equal((json.example as Json).code, 1000);
  const errors = Object.entries(op.responses as Record<string, { description: string }>)
    .filter(([status]) => status !== '200')
    .map(([, r]) => r.description)
    .join('\n');
  for (const code of Object.values(ApiCode).filter((c) => c !== ApiCode.ok))
    assert.match(errors, new RegExp(`\\b${code}\\b`), `code ${code} documented`);
});
