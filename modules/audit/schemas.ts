import { z } from 'zod';

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .regex(/^[A-Za-z0-9._-]*$/)
    .optional()
    .transform((v) => v || undefined);

/** GET /admin/audit?targetType=&action=&before=<ISO instant> */
export const auditQuery = z.strictObject({
  targetType: optionalText(40),
  action: optionalText(80),
  before: z.iso
    .datetime({ offset: true })
    .optional()
    .transform((v) => (v ? new Date(v) : undefined)),
  beforeId: z
    .string()
    .regex(/^[a-f0-9]{24}$/i)
    .optional(),
});
