/** What the question editor tests share: the form a browser posts, and opening the editor page. */
import type request from 'supertest';
import { csrfFrom } from '../factories';
import type { Question, QuestionOption } from '../../modules/quizzes/model';

/** A form body with repeated keys for lists (correct=a&correct=b), as a browser posts it. */
export function encode(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) params.append(k, one);
  return params.toString();
}

const keyOf = (list: QuestionOption[] = []) => list.filter((o) => o.correct).map((o) => o.id);

/** The editor's form as posted: every field of the question (of any type), then `change` on top. */
export function formOf(
  q: Question,
  rev: number,
  csrf: string,
  change: Record<string, string | string[]> = {},
): string {
  const body: Record<string, string | string[]> = {
    _csrf: csrf,
    rev: String(rev),
    action: 'save',
    objective: q.objective,
    stemEn: q.stem.en,
    stemMn: q.stem.mn,
    explanationEn: q.explanation?.en ?? '',
    explanationMn: q.explanation?.mn ?? '',
    ...(q.excerpt ? { excerptEn: q.excerpt.en, excerptMn: q.excerpt.mn } : {}),
    ...(q.case ? { caseEn: q.case.en, caseMn: q.case.mn } : {}),
    ...(q.type === 'ordering' ? {} : { correct: keyOf(q.options) }),
    ...(q.elements ? { element: keyOf(q.elements)[0] ?? '' } : {}),
  };
  const list = (prefix: string, options: QuestionOption[]) =>
    options.forEach((o, i) =>
      Object.assign(body, {
        [`${prefix}${i}_id`]: o.id,
        [`${prefix}${i}_textEn`]: o.text.en,
        [`${prefix}${i}_textMn`]: o.text.mn,
        [`${prefix}${i}_feedbackEn`]: o.feedback.en,
        [`${prefix}${i}_feedbackMn`]: o.feedback.mn,
      }),
    );
  list('o', q.options);
  list('e', q.elements ?? []);
  return encode({ ...body, ...change });
}

/** Opens the editor at `path`: the page, the draft revision it shows, and its CSRF token. */
export async function openEditor(agent: request.Agent, path: string, lang = 'en') {
  const page = await agent.get(path).set('Accept-Language', lang).expect(200);
  return { page, rev: Number(/name="rev" value="(\d+)"/.exec(page.text)![1]), csrf: csrfFrom(page.text) };
}
