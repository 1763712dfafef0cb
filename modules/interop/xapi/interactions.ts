/**
 * Quiz questions as xAPI cmi.interaction activities (xAPI 1.0.3 §"Interaction Activities"): the
 * interaction type, the choices in both languages, the correct-response pattern, and the learner's
 * response in the same notation — so an LRS report can say which option people chose and whether
 * it was the key.
 */
import type { Bilingual } from '../../learning';

interface Option {
  id: string;
  text: Bilingual;
  correct?: boolean;
}
export interface QuestionShape {
  qid: string;
  type: string;
  stem: Bilingual;
  options: Option[];
  elements?: Option[];
}

const SEP = '[,]';
const lang = (t: Bilingual) => ({ en: t.en, mn: t.mn });
const component = (o: Option, prefix = '') => ({ id: `${prefix}${o.id}`, description: lang(o.text) });
const correctIds = (list: Option[] | undefined, prefix = '') =>
  (list ?? []).filter((o) => o.correct).map((o) => `${prefix}${o.id}`);

/** A case asks for a classification and the element that decides it: two choices from two lists. */
const DECISION = 'decision:';
const ELEMENT = 'element:';

/** The activity definition of a question. */
export function interactionDefinition(q: QuestionShape) {
  const base = { type: 'http://adlnet.gov/expapi/activities/cmi.interaction', name: lang(q.stem) };
  switch (q.type) {
    case 'true-false':
      return {
        ...base,
        interactionType: 'true-false',
        correctResponsesPattern: correctIds(q.options),
      };
    case 'ordering':
      return {
        ...base,
        interactionType: 'sequencing',
        // The options are stored in their correct order.
        correctResponsesPattern: [q.options.map((o) => o.id).join(SEP)],
        choices: q.options.map((o) => component(o)),
      };
    case 'case':
      return {
        ...base,
        interactionType: 'choice',
        correctResponsesPattern: [
          [...correctIds(q.options, DECISION), ...correctIds(q.elements, ELEMENT)].join(SEP),
        ],
        choices: [
          ...q.options.map((o) => component(o, DECISION)),
          ...(q.elements ?? []).map((o) => component(o, ELEMENT)),
        ],
      };
    default: // single, multiple, spot-harm: pick one or several options
      return {
        ...base,
        interactionType: 'choice',
        correctResponsesPattern: [correctIds(q.options).join(SEP)],
        choices: q.options.map((o) => component(o)),
      };
  }
}

/** What the learner chose, in the notation of the question's interaction type. */
export function interactionResponse(q: Pick<QuestionShape, 'type'>, chosen: string[]): string {
  if (q.type === 'case') {
    const [decision, element] = chosen;
    return [decision && `${DECISION}${decision}`, element && `${ELEMENT}${element}`]
      .filter(Boolean)
      .join(SEP);
  }
  return chosen.join(SEP);
}
