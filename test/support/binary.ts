/** supertest: keep a binary body (PDF, ZIP, XLSX, CSV bytes) as a Buffer: `.buffer(true).parse(binary)`. */
export function binary(res: unknown, cb: (err: Error | null, body: Buffer) => void) {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
}
