import { z } from 'zod';
import type { AppContext } from '../../../server/context';
import type { ApiScope } from './token-model';

/**
 * One API endpoint declared as data: the router and the OpenAPI document are both built from these,
 * so the document cannot drift from what the routes accept and return.
 */
export interface Endpoint<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  operationId: string;
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express-style path under /api/v1, e.g. '/courses/:slug'. */
  path: string;
  scope: ApiScope;
  summary: string;
  params?: P;
  query?: Q;
  /** A JSON request body (writes); checked strictly before the handler runs. */
  body?: B;
  /** The success status of a write: 201 when it created something (decided from its answer). */
  status?: (response: z.infer<R>) => 200 | 201;
  response: R;
  handler(
    ctx: AppContext,
    input: { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B>; token: ApiActor },
  ): Promise<z.infer<R>>;
}

/** The integration acting: the API token (its id and name), recorded as the actor of what it changes. */
export interface ApiActor {
  id: string;
  name: string;
}

/** Response shapes with a name: each becomes one entry of the document's components.schemas. */
export const apiSchemas = z.registry<{ id?: string; description?: string }>();
export function named<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  apiSchemas.add(schema, description ? { id, description } : { id });
  return schema;
}

/** A field's description in the document. */
export function described<T extends z.ZodType>(schema: T, description: string): T {
  // A copy: the registry keys on the instance, so describing a shared schema in place would give
  // every other use of it this description too.
  const copy = schema.clone() as T;
  apiSchemas.add(copy, { description });
  return copy;
}

/** One person, one id (the document's description says how it maps to LTI and xAPI). */
export const USER_ID = "The learner's id in this app, the same in every API response";

/** Path and body identifiers as the API spells them (one definition: the document shows one pattern). */
export const slug = z.string().regex(/^[a-z0-9-]{1,80}$/);
export const objectId = z.string().regex(/^[a-f0-9]{24}$/);

/** A stored instant as a response's RFC 3339 text, or null when unset. */
export const iso = (d: Date | string | undefined | null) => (d ? new Date(d).toISOString() : null);

/** What the modules' audit records as the actor of a write an API token made. */
export const tokenActor = (token: ApiActor) => ({ id: token.id, role: 'api-token', name: token.name });

/** An instant in a response: RFC 3339 in UTC (documented as `format: date-time`). */
export const dateTime = () => z.iso.datetime();

/** Shared response shapes. */
export const Bilingual = named(
  'Bilingual',
  z.object({ en: z.string(), mn: z.string() }),
  'A text in English and Mongolian',
);
/** A cursor page: follow `nextCursor` (null on the last page) as `?cursor=`. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    nextCursor: described(z.string().nullable(), 'Pass as ?cursor= for the next page; null on the last page'),
  });

/** The query of a list that can grow: at most 100 rows a page (default 50), those after `cursor`. */
export const paging = {
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: objectId.optional(),
};

/**
 * One cursor page of rows a module hands over whole (it has no paged read yet): ordered by id, those
 * after the cursor, at most `limit`; `nextCursor` only while more remain. Ids are 24 lowercase hex
 * digits, so their text order is their order.
 */
export function pageOf<T extends { _id: unknown }>(
  rows: readonly T[],
  query: { limit: number; cursor?: string },
): { rows: T[]; nextCursor: string | null } {
  const after = rows
    .filter((r) => !query.cursor || String(r._id) > query.cursor)
    .sort((a, b) => (String(a._id) < String(b._id) ? -1 : 1));
  const page = after.slice(0, query.limit);
  return { rows: page, nextCursor: after.length > query.limit ? String(page[page.length - 1]!._id) : null };
}

export const defineEndpoint = <
  P extends z.ZodType,
  Q extends z.ZodType,
  R extends z.ZodType,
  B extends z.ZodType = z.ZodUndefined,
>(
  e: Endpoint<P, Q, R, B>,
) => e as unknown as Endpoint;

/** Writes are idempotent with this header: the same key and body replay the first answer. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
