import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { AppError, Invalid } from './errors';

const MB = 1024 * 1024;

/** The i18n keys a module shows for a file too big, limits broken, or a body that is not a form. */
export interface ReceiveMessages {
  tooBig: string;
  limits: string;
  badUpload: string;
}

/**
 * One file per request under `field`, held in memory (never on disk before it is checked), with finite
 * limits on size, fields and parts. The CSRF token is checked before this runs (it is the body's
 * first field, see auth/multipart-token.ts).
 */
export function receiveOneFile(field: string, maxMb: number, messages: ReceiveMessages) {
  const upload = multer({
    storage: multer.memoryStorage(),
    // Browsers send file names as raw UTF-8 (Mongolian names must survive).
    defParamCharset: 'utf8',
    limits: { fileSize: maxMb * MB, files: 1, fields: 5, fieldSize: 1024, parts: 8, headerPairs: 50 },
  }).single(field);
  return (req: Request, res: Response, next: NextFunction) =>
    upload(req, res, (err?: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError)
        return next(
          err.code === 'LIMIT_FILE_SIZE' ? new AppError(413, messages.tooBig) : new Invalid(messages.limits),
        );
      next(new Invalid(messages.badUpload));
    });
}
