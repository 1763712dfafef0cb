import type { AppContext } from '../../server/context';
import { callModel } from './model';
import { defaultRubric, defaultThemes, DEFAULT_COURSE, DEFAULT_TIME_ZONE } from './defaults';
import { formatInZone, localToUtc, utcToLocalInput } from './time';

/**
 * Seed step: on a fresh install (no calls at all), one open demo call, so a journalist sees the whole
 * flow at once: it closes 30 days from now at 17:00 Ulaanbaatar time and asks for the demo course.
 */
export async function seedDemoCall(ctx: AppContext): Promise<string | undefined> {
  const calls = callModel(ctx.db);
  if ((await calls.estimatedDocumentCount()) > 0) return undefined;
  const now = ctx.clock.now();
  const day = utcToLocalInput(new Date(now.getTime() + 30 * 86_400_000), DEFAULT_TIME_ZONE).slice(0, 10);
  const closesAt = localToUtc(`${day}T17:00`, DEFAULT_TIME_ZONE);
  const call = await calls.create({
    title: {
      en: 'Dream Umbrella story grants (demo)',
      mn: 'Мөрөөдлийн шүхэр нийтлэлийн тэтгэлэг (туршилтын)',
    },
    description: {
      en:
        'A demo call. Pitch a story that helps women 18–27 and their parents in Ulaanbaatar and ' +
        'Darkhan-Uul recognise and avoid human trafficking, in the campaign’s positive, empowering tone.\n\n' +
        'Finish the training course first. You can change or withdraw your pitch until the deadline.',
      mn:
        'Туршилтын зар. Улаанбаатар, Дархан-Уулын 18–27 насны эмэгтэйчүүд, тэдний эцэг эхэд хүн ' +
        'худалдаанаас сэрэмжлэх, зайлсхийхэд туслах нийтлэлийн саналаа аяны эерэг, хүч чадал өгсөн ' +
        'өнгө аясаар илгээнэ үү.\n\nЭхлээд сургалтаа дуусгана уу. Эцсийн хугацаа хүртэл саналаа ' +
        'өөрчлөх, буцаан татах боломжтой.',
    },
    themes: defaultThemes(),
    opensAt: new Date(now.getTime() - 3600_000),
    closesAt,
    timeZone: DEFAULT_TIME_ZONE,
    currency: 'MNT',
    budgetPool: 12_000_000,
    maxAward: 2_000_000,
    awardedTotal: 0,
    eligibility: { courseSlug: DEFAULT_COURSE },
    rubric: defaultRubric(),
    reviewersPerPitch: 2,
    blind: true,
    deadlineMode: 'fixed',
    allowMultiplePitches: false,
    status: 'open',
  });
  return `Demo grant call open until ${formatInZone(closesAt, DEFAULT_TIME_ZONE, 'en')}: /grants/${String(call._id)}`;
}
