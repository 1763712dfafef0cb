import type { z } from 'zod';
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
> {
  operationId: string;
  method: 'get';
  /** Express-style path under /api/v1, e.g. '/courses/:slug'. */
  path: string;
  scope: ApiScope;
  summary: string;
  params?: P;
  query?: Q;
  response: R;
  handler(ctx: AppContext, input: { params: z.infer<P>; query: z.infer<Q> }): Promise<z.infer<R>>;
}

export const defineEndpoint = <P extends z.ZodType, Q extends z.ZodType, R extends z.ZodType>(
  e: Endpoint<P, Q, R>,
) => e as unknown as Endpoint;
