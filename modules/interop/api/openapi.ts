import { z } from 'zod';
import { endpoints } from './endpoints';
import { apiSchemas } from './endpoint';

type Json = Record<string, unknown>;

const COMPONENT = '#/components/schemas/';

/**
 * Responses may gain fields in a minor version: clients must ignore what they do not know, so the
 * document never forbids extra properties; and instants are `format: date-time`, not zod's regex.
 */
function forResponses(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forResponses);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$schema' || k === '$defs' || (k === 'additionalProperties' && v === false)) continue;
    if (k === 'pattern' && (node as Json).format === 'date-time') continue;
    out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', COMPONENT) : forResponses(v);
  }
  return out;
}

/** A response schema; the named shapes inside it go to `components` once, referenced by `$ref`. */
function responseSchema(schema: z.ZodType, components: Json): Json {
  const json = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any', metadata: apiSchemas }) as Json;
  for (const [id, def] of Object.entries((json.$defs as Json | undefined) ?? {}))
    components[id] ??= forResponses(def);
  return forResponses(json) as Json;
}

const DESCRIPTION = [
  'Read and integrate with Umbrella Newsroom. Authenticate with an API token (Bearer) made by an admin;',
  'each token carries scopes.',
  '',
  "**Identifiers.** `userId` is the learner's id in this app, the same in every response. An LMS user",
  'launched over LTI 1.3 is linked to exactly one `userId` (by the platform issuer and the LTI `sub`).',
  'xAPI statements name the same learner by a keyed pseudonym of `userId` (actor `account.name`), so an',
  'LRS never receives the id itself; the admin can recompute the mapping with the xAPI secret.',
  '',
  '**Pagination.** Lists that can grow take `limit` (1–100, default 50) and `cursor`; a page answers',
  '`nextCursor`, null on the last page. Cursors are opaque; pass them back unchanged.',
  '',
  '**Rate limits.** Each token may make a fixed number of requests per minute. Past it the API answers',
  '429 with `Retry-After` (seconds) and the `RateLimit`/`RateLimit-Policy` headers of the IETF draft.',
  '',
  '**Writes.** Writes take JSON and accept an `Idempotency-Key` header: a retry with the same key and',
  'body gets the first answer back and acts once. Each write is audited with the token as its actor.',
  '',
  '**Compatibility.** Within v1, responses may gain fields; clients ignore fields they do not know.',
].join('\n');

const rateLimited: Json = {
  description: 'Too many requests for this token: retry after the number of seconds given',
  headers: {
    'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer', minimum: 0 } },
  },
  content: { 'application/json': { schema: { $ref: `${COMPONENT}Error` } } },
};

const errorBody: Json = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['status', 'code', 'message'],
      properties: {
        status: { type: 'integer' },
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: { type: 'string' } },
        requestId: { type: 'string' },
      },
    },
  },
};

/** A request body's schema: as strict as the route's parsing (unknown fields are refused). */
function requestSchema(schema: z.ZodType, components: Json): Json {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', metadata: apiSchemas }) as Json;
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (!node || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node as Json)) {
      if (k === '$schema' || k === '$defs') continue;
      out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', COMPONENT) : strip(v);
    }
    return out;
  };
  for (const [id, def] of Object.entries((json.$defs as Json | undefined) ?? {}))
    components[id] ??= strip(def);
  return strip(json) as Json;
}

const idempotencyKey: Json = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Any unique string (1–255 printable characters). Retrying with the same key and body returns the ' +
    'first answer (marked Idempotent-Replayed: true) without acting twice; the same key with another ' +
    'request is a 422. Keys are kept for 24 hours.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

/** What a write may answer beyond a read's errors. */
const writeErrors: Json = {
  '409': { $ref: '#/components/responses/Error' },
  '415': { $ref: '#/components/responses/Error' },
  '422': { $ref: '#/components/responses/Error' },
};

function parameters(where: 'path' | 'query', schema: z.ZodType | undefined): Json[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Json;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
}

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes parse and answer with. */
export function openApiDocument(baseUrl: string): Json {
  const paths: Record<string, Json> = {};
  const schemas: Json = { Error: errorBody };
  for (const ep of endpoints) {
    const path = ep.path.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[path] ??= {};
    const write = ep.method !== 'get';
    const ok = { content: { 'application/json': { schema: responseSchema(ep.response, schemas) } } };
    (paths[path] as Json)[ep.method] = {
      operationId: ep.operationId,
      summary: ep.summary,
      security: [{ bearer: [ep.scope] }],
      parameters: [
        ...parameters('path', ep.params),
        ...parameters('query', ep.query),
        ...(write ? [idempotencyKey] : []),
      ],
      ...(ep.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: requestSchema(ep.body, schemas) } },
            },
          }
        : {}),
      responses: {
        '200': { description: 'OK', ...ok },
        ...(ep.status ? { '201': { description: 'Created', ...ok } } : {}),
        ...(write ? writeErrors : {}),
        '400': { $ref: '#/components/responses/Error' },
        '401': { $ref: '#/components/responses/Error' },
        '403': { $ref: '#/components/responses/Error' },
        '404': { $ref: '#/components/responses/Error' },
        '429': { $ref: '#/components/responses/RateLimited' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Umbrella Newsroom API', version: '1.0.0', description: DESCRIPTION },
    servers: [{ url: `${baseUrl}/api/v1` }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token created by an admin.' },
      },
      schemas,
      responses: {
        RateLimited: rateLimited,
        Error: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
  };
}
