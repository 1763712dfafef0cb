import mongoose from 'mongoose';

/**
 * The connection sanitises filters (operator injection), so our own operators must be marked as ours.
 * Never pass user input through this.
 */
export const trusted = <T extends object>(operator: T): T => mongoose.trusted(operator) as T;
