/** Schema-driven validation: a zod schema in, the typed value out, or 400 with `data.params` naming each field. */
import type { z } from 'zod';
import { invalidParams } from '../http/api-error';

export function parse<S extends z.ZodTypeAny>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validateError(result.error);
}

function validateError(error: z.ZodError): Error {
  const params: Record<string, string> = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) params[fieldName([...issue.path, key])] ??= 'Unknown field; remove it.';
      continue;
    }
    params[fieldName(issue.path)] ??= issue.message;
  }
  return invalidParams(params);
}

const fieldName = (path: ReadonlyArray<string | number>): string => (path.length > 0 ? path.join('.') : 'body');
