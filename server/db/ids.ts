import mongoose, { Types } from 'mongoose';
import { NotFound } from '../http/errors';

/**
 * Marks a query operator we wrote ourselves (never request data) so our models' sanitizeFilter leaves
 * it alone; without this `{ $exists: false }` would be turned into an equality match. Never pass input
 * through it.
 */
export const trusted = <T>(operator: T): T => mongoose.trusted(operator) as T;

export const isObjectId = (s: unknown): s is string => typeof s === 'string' && /^[a-f0-9]{24}$/i.test(s);

/**
 * An id from a request or a record as an ObjectId. A malformed id answers 404, like a missing record:
 * nobody learns whether an id exists by its shape, and no bad id reaches a query.
 */
export function oid(id: string | Types.ObjectId): Types.ObjectId {
  if (id instanceof Types.ObjectId) return id;
  if (!isObjectId(id)) throw new NotFound();
  return new Types.ObjectId(id);
}
