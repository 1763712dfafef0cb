import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../../server/context';
import { allow, signedInUser } from '../../../server/auth/policy';
import { parseParams } from '../../../server/http/validate';
import { recordAudit } from '../../audit';
import { exportCourseArchive } from './archive';

const params = z.strictObject({ courseSlug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/) });

/** Trainers and admins download a course as an archive another installation can import. */
export function archiveRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/trainer/courses/:courseSlug/export', allow.roles('trainer', 'admin'), async (req, res) => {
    const { courseSlug } = parseParams(params, req.params);
    const { slug, zip } = await exportCourseArchive(ctx, courseSlug);
    await recordAudit(ctx, signedInUser(req), 'course.exported', { type: 'course', id: slug });
    res
      .set({
        'Content-Type': 'application/zip',
        'Content-Disposition': `attachment; filename="${slug}.zip"`,
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "sandbox; default-src 'none'",
        'Cache-Control': 'no-store',
      })
      .send(zip);
  });
  return router;
}
