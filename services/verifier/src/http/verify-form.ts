/**
 * The verification form: reading an urlencoded or multipart body into named fields and
 * validating them. Booleans accept true/false in any case and 1/0; anything else is 1200
 * naming the field (never echoing its value). Unknown fields are ignored.
 */
import type { Context } from 'hono';
import { ApiError, invalidArgument } from '../errors/api-error.js';

export type FormFields = Readonly<Record<string, string>>;

/** Reads the body as form fields; a file part is read as text (clients may stream the Base64 as a file). */
export async function readForm(c: Context, maxBodyBytes: number): Promise<FormFields> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (
    !type.startsWith('application/x-www-form-urlencoded') &&
    !type.startsWith('multipart/form-data')
  ) {
    throw invalidArgument(
      'the body must be application/x-www-form-urlencoded or multipart/form-data',
    );
  }
  let body: Record<string, string | File | (string | File)[]>;
  try {
    body = await c.req.parseBody({ all: false });
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw invalidArgument('the body could not be parsed as a form');
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    const one = Array.isArray(v) ? v[0] : v;
    if (one === undefined) continue;
    if (typeof one === 'string') out[k] = one;
    else if (one.size <= maxBodyBytes) out[k] = await one.text();
  }
  return out;
}

/** A required, non-empty field. */
export function requiredField(form: FormFields, name: string): string {
  const v = form[name];
  if (v === undefined) throw invalidArgument(`${name} is required`);
  if (v.trim() === '') throw invalidArgument(`${name} is empty`);
  return v;
}

/** An optional boolean field, default false. */
export function booleanField(form: FormFields, name: string): boolean {
  const v = form[name];
  if (v === undefined) return false;
  const s = v.trim().toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw invalidArgument(`${name} must be true, false, 1 or 0`);
}
