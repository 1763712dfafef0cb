import { z } from 'zod';
import { listField } from '../../server/http/validate';
import { API_SCOPES } from './api/token-model';

export const createTokenForm = z.strictObject({
  name: z.string().trim().min(1, 'interop.tokens.errors.name').max(80),
  scopes: listField(z.enum(API_SCOPES), API_SCOPES.length).refine(
    (s) => s.length > 0,
    'interop.tokens.errors.scopes',
  ),
});
