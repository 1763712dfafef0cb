import { z } from 'zod';
import { Invalid, NotFound } from './errors';

/** Field → first message, for re-rendering a form next to the inputs. */
/** Our words for zod's kinds of issue, where a schema gave none of its own. */
const ISSUE_KEYS: Partial<Record<z.core.$ZodIssue['code'], string>> = {
  too_big: 'errors.field.tooBig',
  too_small: 'errors.field.tooSmall',
  unrecognized_keys: 'errors.field.unexpected',
};

/** An i18n key: the schema's own message, or ours for the issue's kind (zod's English never reaches a page). */
const messageKey = (issue: z.core.$ZodIssue) =>
  /^[a-z][\w-]*(\.[\w-]+)+$/.test(issue.message)
    ? issue.message
    : (ISSUE_KEYS[issue.code] ?? 'errors.field.invalid');

function byField(error: z.ZodError, say: (issue: z.core.$ZodIssue) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) out[issue.path.join('.') || '_form'] ??= say(issue);
  return out;
}

/** For pages: each field's problem as an i18n key. */
export const fieldErrors = (error: z.ZodError) => byField(error, messageKey);

/** For API clients: each problem in the schema's or zod's own words ("Unrecognized key: role"). */
export const issueMessages = (error: z.ZodError) => byField(error, (issue) => issue.message);

/** Parses or throws a 400 carrying the field errors. */
export function parse<T extends z.ZodType>(schema: T, data: unknown): z.infer<T> {
  const result = schema.safeParse(data ?? {});
  if (!result.success) throw new Invalid('errors.invalid', fieldErrors(result.error));
  return result.data;
}

/** parse, for the JSON API: the refusal names each problem for the developer reading it. */
export function parseForClients<T extends z.ZodType>(schema: T, data: unknown): z.infer<T> {
  const result = schema.safeParse(data ?? {});
  if (!result.success) throw new Invalid('errors.invalid', issueMessages(result.error));
  return result.data;
}

/**
 * Path parameters name a record: a malformed one is a missing record (404), whichever route it reaches,
 * so nobody learns anything from an id's shape and no bad id reaches a query.
 */
export function parseParams<T extends z.ZodType>(schema: T, params: unknown): z.infer<T> {
  const result = schema.safeParse(params);
  if (!result.success) throw new NotFound();
  return result.data;
}

/** Form checkboxes arrive as a string for one value and an array for several. */
export const listField = <T extends z.ZodType>(item: T, max = 50) =>
  z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item).max(max));

/** A form field left empty counts as not given (browsers send '' for an empty input or select). */
export const optionalField = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const text = (max: number) => z.string().trim().max(max);

/** An http(s) address with a host, as people paste it: javascript:, data: and other schemes are refused. */
export const webUrl = (message: string) =>
  z
    .string()
    .trim()
    .max(2000)
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname;
      } catch {
        return false;
      }
    }, message);
export const objectId = z.string().regex(/^[a-f0-9]{24}$/i, 'invalid id');
export const idParams = z.strictObject({ id: objectId });
