/**
 * A node:test reporter for test/run.ts: one JSON line per test start ('test:dequeue') and end
 * ('test:complete'), read back by ./unfinished.ts to name the tests of a file that did not finish.
 * Plain JavaScript: node loads reporters before the TypeScript loader is registered.
 *
 * @param {AsyncIterable<{ type: string, data: any }>} source
 */
export default async function* progressReporter(source) {
  for await (const { type, data } of source) {
    if (!data?.file || (type !== 'test:dequeue' && type !== 'test:complete')) continue;
    const failure = data.details?.error?.failureType;
    yield `${JSON.stringify({
      type: type === 'test:dequeue' ? 'start' : 'end',
      file: data.file,
      nesting: data.nesting,
      name: data.name,
      ...(failure ? { failure } : {}),
    })}\n`;
  }
}
