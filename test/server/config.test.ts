/** Settings as a newcomer gets them: `.env.example` copied to `.env` starts the app as documented. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../server/config';

/** KEY=value lines of a dotenv file (comments and blank lines skipped). */
function dotenv(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

test('.env.example as shipped is a valid configuration: empty values mean the defaults', () => {
  const example = dotenv(path.join(import.meta.dirname, '../../.env.example'));
  assert.ok(
    Object.values(example).some((v) => v === ''),
    'the example leaves some settings empty',
  );
  const config = loadConfig({ ...example, NODE_ENV: 'development' });
  assert.equal(config.secureCookies, false, 'SECURE_COOKIES= follows BASE_URL (http here)');
  assert.equal(config.storage, 'local', 'STORAGE= with no MONGODB_URI: local disk');
  assert.equal(config.frameAncestors.length, 0);
  assert.equal(config.apiLimitPerMinute, 600);
});

test('a wrong value is still refused with the variable named', () => {
  assert.throws(() => loadConfig({ SECURE_COOKIES: 'yes' }), /SECURE_COOKIES/);
  assert.throws(() => loadConfig({ API_LIMIT_PER_MINUTE: '0' }), /API_LIMIT_PER_MINUTE/);
});
