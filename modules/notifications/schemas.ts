import { z } from 'zod';

export { idParams } from '../../server/http/validate';

/** The retry and test forms carry nothing but the CSRF token. */
export const emptyForm = z.strictObject({});
