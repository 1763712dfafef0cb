import type { RequestHandler } from 'express';
import { AppError } from './errors';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The body types routes read: forms, JSON (scripts, the LTI launch) and multipart (uploads, via multer). */
const ACCEPTED = ['application/x-www-form-urlencoded', 'application/json', 'multipart/form-data'];

/**
 * After the body parsers: a body of any other type (text/plain, XML, octets, none declared) is a 415
 * before any route sees it, and every route gets an object in `req.body` (empty for a multipart body
 * until a route's multer reads it), so a form sent the wrong way comes back as the form with its
 * errors, never as a crash on `undefined`.
 */
export const bodyTypes: RequestHandler = (req, _res, next) => {
  if (!WITH_BODY.has(req.method)) return next();
  req.body ??= {};
  if (!req.is(ACCEPTED) && hasBody(req)) return next(new AppError(415, 'errors.unsupportedType'));
  next();
};

function hasBody(req: Parameters<RequestHandler>[0]): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}
