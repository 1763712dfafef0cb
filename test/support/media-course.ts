import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { projectRoot } from '../../server/paths';

/**
 * The shipped course as `media-course` with a media library: a picture and a sound file shown in its
 * first lesson. Returns the folder holding it (the caller removes it).
 */
export async function courseWithMedia(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-media-'));
  const root = path.join(dir, 'media-course');
  cpSync(path.join(projectRoot, 'content', 'courses', 'tip-reporting'), root, { recursive: true });
  const courseFile = path.join(root, 'course.yaml');
  const def = parseYaml(readFileSync(courseFile, 'utf8')) as { slug: string; lessons: string[] };
  def.slug = 'media-course';
  writeFileSync(courseFile, stringifyYaml(def));
  mkdirSync(path.join(root, 'media'));
  const picture = await sharp({
    create: { width: 20, height: 10, channels: 3, background: { r: 0, g: 90, b: 160 } },
  })
    .png()
    .toBuffer();
  writeFileSync(path.join(root, 'media', 'routes-map.png'), picture);
  writeFileSync(path.join(root, 'media', 'survivor-voice.mp3'), MP3);
  const lessonFile = path.join(root, 'lessons', `${def.lessons[0]}.yaml`);
  const lesson = parseYaml(readFileSync(lessonFile, 'utf8')) as { blocks: unknown[] };
  lesson.blocks.push(
    {
      type: 'image',
      en: 'Where recruiters find people',
      mn: 'Элсүүлэгчид хүмүүсийг хаана олдог вэ',
      src: 'media/routes-map.png',
      alt: { en: 'A map of routes', mn: 'Замуудын газрын зураг' },
    },
    { type: 'audio', en: 'A reporter explains', mn: 'Сэтгүүлч тайлбарлана', src: 'media/survivor-voice.mp3' },
  );
  writeFileSync(lessonFile, stringifyYaml(lesson));
  return dir;
}

/** A few bytes file-type recognises as MP3 (an MPEG audio frame header, then filler). */
export const MP3 = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(3000, 0x55)]);
