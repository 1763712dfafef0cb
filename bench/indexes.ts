import type { Connection } from 'mongoose';
import { userModel } from '../modules/accounts/model';
import { enrolmentModel, cohortModel } from '../modules/learning/model';
import { attemptModel } from '../modules/quizzes/model';
import { testRecordModel } from '../modules/quizzes/test-records';
import { reviewModel, assignmentModel } from '../modules/reviews/model';

/**
 * Builds the indexes the models declare before a benchmark inserts data with the raw driver (the app
 * would otherwise create them lazily, on a model's first use, in the middle of the measurement).
 */
export async function createDeclaredIndexes(db: Connection): Promise<void> {
  const models = [
    userModel,
    enrolmentModel,
    cohortModel,
    attemptModel,
    testRecordModel,
    reviewModel,
    assignmentModel,
  ] as const;
  for (const model of models) {
    await model(db).createIndexes();
  }
}
