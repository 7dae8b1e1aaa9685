/**
 * The API's forms: reading an urlencoded or multipart body into named fields, and the zod
 * fields that validate them. Each endpoint's form is one zod object of these fields; the
 * same object is its request body in /openapi.json (http/openapi.ts). Booleans accept
 * true/false in any case and 1/0; anything else is 1200 naming the field (never echoing
 * its value). Unknown fields are ignored.
 */
import type { Context } from 'hono';
import { z } from 'zod';
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

/**
 * A required encrypted field: Base64 of AES-256-GCM(bytes) ‖ tag. Missing and empty are
 * told apart; the value itself is checked when it is opened (crypto/key-ring.ts).
 */
export function sealedField(description: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
    .refine((v) => v.trim() !== '', 'is empty')
    .meta({ description, contentEncoding: 'base64' });
}

/** The names of a form's sealed fields (made by sealedField), in the form's order. */
export function sealedFieldNames(form: z.ZodObject): string[] {
  return Object.entries(form.shape)
    .filter(([, schema]) => (schema as z.ZodType).meta()?.contentEncoding === 'base64')
    .map(([name]) => name);
}

const FLAG_VALUES = ['true', 'false', '1', '0'] as const;

/** An optional boolean, default false: true/false in any case, or 1/0. */
export function flagField(description: string) {
  return z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(FLAG_VALUES, { error: 'must be true, false, 1 or 0' }))
    .transform((v) => v === 'true' || v === '1')
    .prefault('false')
    .meta({
      description: `${description}. true/false in any case, or 1/0`,
      enum: [...FLAG_VALUES],
    });
}

/** The fields of the API family; each endpoint's form picks its own, in the order it checks them. */
export const formFields = {
  encrypted_image: sealedField('The photo (JPEG, PNG, BMP, GIF, TIFF or WebP), encrypted'),
  encrypted_video: sealedField(
    'The selfie video (MP4/MOV/3GP, WebM/Matroska or AVI; 2–60 s), encrypted',
  ),
  first_encrypted_image: sealedField('The first photo, encrypted'),
  second_encrypted_image: sealedField('The second photo, encrypted'),
  auto_rotate: flagField('Also try 90/180/270° and keep the orientation with the best face'),
  check_quality: flagField('Refuse a photo whose eyes, nose or mouth are occluded (4004)'),
  return_image: flagField('Return the selected frame and its timestamp when passed'),
  return_face_image: flagField('Return the face clipping of the selected frame when passed'),
  return_status: flagField('Return liveness_status'),
  return_details: flagField(
    'Return liveness_details: each liveness cue with its measurement and evidence (not in the seed)',
  ),
};

/** Validates `form`: the first problem, in the schema's field order, is 1200 naming its field. */
export function parseForm<S extends z.ZodType>(schema: S, form: FormFields): z.output<S> {
  const result = schema.safeParse(form);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw invalidArgument(issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid form');
}
