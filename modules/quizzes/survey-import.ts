import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import mongoose, { type Types } from 'mongoose';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { AppContext } from '../../server/context';
import { surveyItemModel, type SurveyScale } from './survey-model';

/**
 * A course's attitude and practice items live in `survey.yaml` beside `course.yaml` (its own file, so
 * the knowledge questions and the survey can be edited apart). When the file exists, the pre- and
 * post-test show every item after their questions; nothing in it is ever scored.
 */
export const SURVEY_FILE = 'survey.yaml';

const bilingual = z.strictObject({
  en: z.string().trim().min(1, 'English text is missing').max(2000),
  mn: z.string().trim().min(1, 'Mongolian text is missing').max(2000),
});
const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lowercase letters, digits, -');
const option = z.strictObject({
  id,
  text: bilingual,
  level: z
    .number({ error: 'a practice level 1–5 is needed (higher = safer practice)' })
    .int('a whole number 1–5')
    .min(1, '1–5')
    .max(5, '1–5'),
});
const itemFile = z.strictObject({
  id,
  kind: z.enum(['attitude', 'practice'], { error: '"attitude" or "practice"' }),
  dimension: z.string().min(1, "name one of the survey's dimensions"),
  scale: z.enum(['agreement', 'choice', 'frequency'], { error: 'agreement, choice or frequency' }).optional(),
  reversed: z.boolean({ error: 'true or false' }).optional(),
  statement: bilingual.optional(),
  scenario: bilingual.optional(),
  options: z.array(option).optional(),
});
type ItemFile = z.infer<typeof itemFile>;
const surveyFile = z.strictObject({
  dimensions: z
    .array(z.strictObject({ id, label: bilingual }))
    .min(1, 'list the dimensions the items measure'),
  items: z.array(z.unknown()).min(1, 'the survey has no items'),
});

export interface SurveyDefinition {
  sid: string;
  kind: 'attitude' | 'practice';
  scale: SurveyScale;
  dimension: string;
  dimensionLabel: { en: string; mn: string };
  reversed: boolean;
  text: { en: string; mn: string };
  options?: Array<{ id: string; text: { en: string; mn: string }; level: number }>;
  position: number;
}

/** The rules a plain shape cannot say, as "field: message". */
function itemRules(item: ItemFile, dimensions: Set<string>): string[] {
  const problems: string[] = [];
  if (!dimensions.has(item.dimension))
    problems.push(`dimension: "${item.dimension}" is not one of the survey's dimensions`);
  if (item.kind === 'attitude') {
    if (!item.statement) problems.push('statement: an attitude item needs its statement');
    if (item.scenario) problems.push('scenario: only practice items have a scenario');
    if (item.options) problems.push('options: attitude items use the 1–5 agreement scale, without options');
    if (item.scale && item.scale !== 'agreement') problems.push('scale: attitude items use "agreement"');
    if (item.reversed === undefined)
      problems.push('reversed: say whether agreeing is the attitude the course works against (true/false)');
    return problems;
  }
  if (!item.scenario) problems.push('scenario: a practice item needs its scenario');
  if (item.statement) problems.push('statement: only attitude items have a statement');
  const scale = item.scale ?? (item.options ? 'choice' : 'frequency');
  if (scale === 'agreement') problems.push('scale: practice items use "choice" or "frequency"');
  if (scale === 'frequency') {
    if (item.options) problems.push('options: a frequency item uses the never–always scale, without options');
    return problems;
  }
  if (item.reversed !== undefined) problems.push('reversed: a choice item says its direction by the levels');
  const options = item.options ?? [];
  if (options.length < 2 || options.length > 6) problems.push('options: a choice item needs 2 to 6 actions');
  const ids = options.map((o) => o.id);
  if (new Set(ids).size !== ids.length) problems.push('options: duplicate option ids');
  if (new Set(options.map((o) => o.level)).size < 2)
    problems.push('options: the actions need at least two different practice levels');
  return problems;
}

/**
 * Reads and checks `survey.yaml` of a course folder; undefined when the course has none. Ids must be
 * unique and differ from the question ids; more than three attitude statements must not all run the
 * same way (some reversed), so agreeing with everything does not look like a good attitude.
 */
export function loadSurvey(courseDir: string, questionIds: Set<string>): SurveyDefinition[] | undefined {
  const file = path.join(courseDir, SURVEY_FILE);
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${SURVEY_FILE}: not valid YAML: ${(err as Error).message.split('\n')[0]}`, {
      cause: err,
    });
  }
  const parsed = surveyFile.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `${SURVEY_FILE}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`,
    );
  const dimensions = new Map(parsed.data.dimensions.map((d) => [d.id, d.label]));
  const seen = new Set<string>();
  const out = parsed.data.items.map((entry, i): SurveyDefinition => {
    const given = (entry as { id?: unknown })?.id;
    const label = `${SURVEY_FILE}: item ${typeof given === 'string' ? given : `#${i + 1}`}`;
    const result = itemFile.safeParse(entry);
    if (!result.success)
      throw new Error(
        `${label}: ${result.error.issues.map((iss) => `${iss.path.join('.') || '(item)'}: ${iss.message}`).join('; ')}`,
      );
    const item = result.data;
    const problems = itemRules(item, new Set(dimensions.keys()));
    if (seen.has(item.id)) problems.push('id: already used by another survey item');
    if (questionIds.has(item.id)) problems.push('id: already used by a question');
    if (problems.length) throw new Error(`${label}: ${problems.join('; ')}`);
    seen.add(item.id);
    const scale: SurveyScale =
      item.kind === 'attitude' ? 'agreement' : (item.scale ?? (item.options ? 'choice' : 'frequency'));
    return {
      sid: item.id,
      kind: item.kind,
      scale,
      dimension: item.dimension,
      dimensionLabel: dimensions.get(item.dimension)!,
      reversed: item.reversed ?? false,
      text: (item.statement ?? item.scenario)!,
      ...(scale === 'choice' ? { options: item.options } : {}),
      position: i + 1,
    };
  });
  const attitudes = out.filter((d) => d.kind === 'attitude');
  const reversed = attitudes.filter((d) => d.reversed).length;
  if (attitudes.length > 3 && (reversed === 0 || reversed === attitudes.length))
    throw new Error(
      `${SURVEY_FILE}: the ${attitudes.length} attitude statements all run the same way: reverse some (reversed: true) so agreeing with everything does not read as a good attitude`,
    );
  return out;
}

const hashOf = (d: SurveyDefinition) => createHash('sha256').update(JSON.stringify(d)).digest('hex');

/** Upserts a course's survey items; a changed item gets a new version. Returns the sids in order. */
export async function importSurvey(
  ctx: AppContext,
  courseId: Types.ObjectId,
  items: SurveyDefinition[],
): Promise<string[]> {
  const Items = surveyItemModel(ctx.db);
  await Items.init();
  for (const d of items) {
    const contentHash = hashOf(d);
    const { sid, ...content } = d;
    const changed = await Items.updateOne(
      { courseId, sid, contentHash: mongoose.trusted({ $ne: contentHash }) },
      {
        $set: { ...content, contentHash },
        ...(d.options ? {} : { $unset: { options: 1 } }),
        $inc: { version: 1 },
      },
    );
    if (changed.matchedCount > 0) continue;
    try {
      await Items.create({ courseId, sid, version: 1, ...content, contentHash });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err; // unchanged
    }
  }
  return items.map((d) => d.sid);
}
