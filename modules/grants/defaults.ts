import type { RubricCriterion, Theme } from './model';

export const DEFAULT_COURSE = 'tip-reporting';
export const DEFAULT_TIME_ZONE = 'Asia/Ulaanbaatar';
export const MAX_FILES_PER_PITCH = 8;

const criterion = (
  id: string,
  en: string,
  mn: string,
  gEn: string,
  gMn: string,
  weight = 1,
): RubricCriterion => ({ id, label: { en, mn }, guidance: { en: gEn, mn: gMn }, scaleMax: 5, weight });

/** The campaign's five effectiveness tests, plus victim safety (double weight) and feasibility. */
export function defaultRubric(): RubricCriterion[] {
  return [
    criterion(
      'comprehension',
      'Comprehension',
      'Ойлгомж',
      'Will the audience understand the message, including the difference between trafficking and smuggling?',
      'Үзэгчид мессежийг, тэр дундаа хүн худалдаа ба хууль бусаар хил нэвтрүүлэхийн ялгааг ойлгох уу?',
    ),
    criterion(
      'appeal',
      'Appeal',
      'Татах чадвар',
      'Will women 18–27 and their parents want to read, watch or listen?',
      '18–27 насны эмэгтэйчүүд болон эцэг эх нь уншиж, үзэж, сонсохыг хүсэх үү?',
    ),
    criterion(
      'acceptability',
      'Acceptability',
      'Хүлээн зөвшөөрөгдөх байдал',
      'Is the tone positive and empowering, free of blame and stereotypes?',
      'Өнгө аяс эерэг, хүч чадал өгсөн, буруутгал ба хэвшмэл ойлголтгүй юу?',
    ),
    criterion(
      'relevance',
      'Relevance',
      'Хамааралтай байдал',
      'Does it speak to real situations in Ulaanbaatar and Darkhan-Uul?',
      'Улаанбаатар, Дархан-Уулын бодит нөхцөлтэй холбогдож байна уу?',
    ),
    criterion(
      'persuasion',
      'Persuasion',
      'Итгүүлэх чадвар',
      'Will it change what people know or do — e.g. check a job offer, call 102 or 1800-1903?',
      'Хүмүүсийн мэдлэг, үйлдлийг өөрчлөх үү — жишээ нь ажлын саналыг шалгах, 102 эсвэл 1800-1903 руу залгах?',
    ),
    criterion(
      'ethics-victim-safety',
      'Ethics and victim safety',
      'Ёс зүй ба хохирогчийн аюулгүй байдал',
      'Informed consent, identity protection, no re-traumatisation, referral to help.',
      'Мэдээлэлтэй зөвшөөрөл, хувийн мэдээллийг хамгаалах, дахин гэмтээхгүй байх, тусламж руу чиглүүлэх.',
      2,
    ),
    criterion(
      'feasibility',
      'Feasibility',
      'Хэрэгжих боломж',
      'Can it be done on this budget and timeline? Is publication agreed (see the letter from the outlet among the attachments)?',
      'Энэ төсөв, хугацаанд хийж чадах уу? Нийтлэх нь тохиролцсон уу (хавсралтын дундах байгууллагын захидлыг үзнэ үү)?',
    ),
  ];
}

export function defaultThemes(): Theme[] {
  return [
    { id: 'labour', label: { en: 'Labour exploitation', mn: 'Хөдөлмөрийн мөлжлөг' } },
    { id: 'online', label: { en: 'Online recruitment', mn: 'Онлайн элсүүлэлт' } },
    { id: 'migration', label: { en: 'Safe migration', mn: 'Аюулгүй шилжилт хөдөлгөөн' } },
  ];
}
