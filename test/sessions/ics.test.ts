import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCalendar, escapeText, foldLine } from '../../modules/sessions/ics';
import { parseCalendar } from './helpers';

const event = {
  uid: 'session-65f0c0ffee@example.org',
  stamp: new Date('2026-03-01T02:03:04Z'),
  start: new Date('2026-03-31T09:00:00Z'),
  end: new Date('2026-03-31T10:30:00Z'),
  sequence: 2,
};

test('an event with commas, semicolons, backslashes and line breaks round-trips through ical.js', () => {
  const summary = 'Media Camp; ethics, safety \\ and "victims" — ч.1';
  const description = 'First line\nSecond line, with; punctuation\r\nThird';
  const ics = buildCalendar({
    ...event,
    summary,
    description,
    location: 'IOM office, Sukhbaatar district; room 3',
    url: 'https://meet.example.org/j/123?pwd=a,b;c',
  });
  const parsed = parseCalendar(ics);
  assert.equal(parsed.version, '2.0');
  assert.match(String(parsed.prodid), /Umbrella Newsroom/);
  assert.equal(parsed.uid, event.uid);
  assert.deepEqual(parsed.dtstamp, { iso: '2026-03-01T02:03:04.000Z', utc: true });
  assert.deepEqual(parsed.start, { iso: '2026-03-31T09:00:00.000Z', utc: true });
  assert.deepEqual(parsed.end, { iso: '2026-03-31T10:30:00.000Z', utc: true });
  assert.equal(parsed.summary, summary);
  assert.equal(parsed.description, 'First line\nSecond line, with; punctuation\nThird');
  assert.equal(parsed.location, 'IOM office, Sukhbaatar district; room 3');
  assert.equal(parsed.url, 'https://meet.example.org/j/123?pwd=a,b;c');
  assert.equal(parsed.status, 'CONFIRMED');
  assert.equal(parsed.sequence, 2);
  assert.ok(parsed.lines.includes('DTSTART:20260331T090000Z'));
  assert.ok(parsed.lines.includes('DTEND:20260331T103000Z'));
  assert.ok(parsed.lines.includes('SUMMARY:Media Camp\\; ethics\\, safety \\\\ and "victims" — ч.1'));
});

test('long Mongolian text folds at 75 octets without splitting a character, and unfolds unchanged', () => {
  const summary = 'Хүний наймааны талаар мэдээлэх нь: хохирогчийн аюулгүй байдал ба ёс зүй '.repeat(4).trim();
  const ics = buildCalendar({ ...event, summary, cancelled: true });
  const parsed = parseCalendar(ics);
  assert.equal(parsed.summary, summary);
  assert.equal(parsed.status, 'CANCELLED');
  const summaryLines = parsed.lines.slice(parsed.lines.findIndex((l) => l.startsWith('SUMMARY:')));
  assert.ok(summaryLines[1]!.startsWith(' '), 'the summary continues on a folded line');
  assert.ok(!ics.includes('\uFFFD'));
  // Folding is byte-exact: every line but the last of a value is filled to within one character of 75.
  const folded = foldLine(`SUMMARY:${escapeText(summary)}`).split('\r\n');
  for (const l of folded.slice(0, -1)) assert.ok(Buffer.byteLength(l) > 72 && Buffer.byteLength(l) <= 75);
  assert.equal(folded.map((l, i) => (i ? l.slice(1) : l)).join(''), `SUMMARY:${escapeText(summary)}`);
});

test('a URL with a space or line break is refused, never written into the file', () => {
  assert.throws(
    () => buildCalendar({ ...event, summary: 'x', url: 'https://a.example/\r\nX-EVIL:1' }),
    RangeError,
  );
  assert.throws(() => buildCalendar({ ...event, summary: 'x', url: 'https://a.example/ b' }), RangeError);
  // TEXT values cannot break out either: line breaks become \n.
  const ics = buildCalendar({ ...event, summary: 'a\r\nEND:VEVENT\r\nBEGIN:VEVENT' });
  assert.equal(ics.match(/^BEGIN:VEVENT/gm)?.length, 1);
  assert.equal(parseCalendar(ics).summary, 'a\nEND:VEVENT\nBEGIN:VEVENT');
});
