import mongoose from 'mongoose';

/**
 * Marks a query operator we wrote ourselves (never request data) so the connection's sanitizeFilter
 * leaves it alone; without this `{ $exists: false }` is turned into an equality match and fails.
 */
export const trusted = <T>(operator: T): T => mongoose.trusted(operator) as T;
