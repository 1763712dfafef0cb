// Run by time.test.ts under different TZ values: prints conversions so the parent can compare.
import { localToUtc, utcToLocalInput } from '../../modules/grants/time';

const cases: Array<[string, string]> = [
  ['2026-03-31T17:00', 'Asia/Ulaanbaatar'],
  ['2026-03-08T02:30', 'America/New_York'],
  ['2026-11-01T01:30', 'America/New_York'],
  ['2026-07-01T00:00', 'Europe/London'],
  ['2026-12-31T23:59', 'Pacific/Chatham'],
];
const out = cases.map(([local, zone]) => {
  const utc = localToUtc(local, zone);
  return { local, zone, utc: utc.toISOString(), back: utcToLocalInput(utc, zone) };
});
process.stdout.write(
  JSON.stringify({ tz: process.env.TZ, offset: new Date(2026, 0, 1).getTimezoneOffset(), out }),
);
