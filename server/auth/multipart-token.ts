import type { Request } from 'express';

/** How far into a multipart body the leading field may end. A CSRF token part is ~150 bytes. */
const PEEK_LIMIT = 4096;

function boundaryOf(req: Request): string | undefined {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s"]{1,70}))/i.exec(req.get('content-type') ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

type Peek = { value: string; rest: Buffer } | 'more' | 'no';

/**
 * The first part of a multipart body if it is the text field `name`: its value and the bytes from
 * the next delimiter on. 'more' while the part has not ended yet, 'no' when it is something else.
 */
function leadingField(buf: Buffer, delimiter: Buffer, name: string): Peek {
  const start = buf.indexOf(delimiter);
  if (start < 0) return 'more';
  const afterDelimiter = start + delimiter.length;
  if (buf.length < afterDelimiter + 2) return 'more';
  if (buf.toString('latin1', afterDelimiter, afterDelimiter + 2) !== '\r\n') return 'no';
  const headersEnd = buf.indexOf('\r\n\r\n', afterDelimiter);
  if (headersEnd < 0) return 'more';
  const headers = buf.toString('latin1', afterDelimiter + 2, headersEnd).split('\r\n');
  const disposition = headers.find((h) => /^content-disposition\s*:/i.test(h)) ?? '';
  const field = /^content-disposition\s*:\s*form-data\s*;\s*name\s*=\s*(?:"([^"]*)"|([^;\s]+))\s*$/i.exec(
    disposition,
  );
  if (!field || (field[1] ?? field[2]) !== name) return 'no';
  const valueEnd = buf.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd + 4);
  if (valueEnd < 0) return 'more';
  return { value: buf.toString('utf8', headersEnd + 4, valueEnd), rest: buf.subarray(valueEnd + 2) };
}

/**
 * Reads just the head of a multipart body and, when its first part is the text field `name`, returns
 * that value and takes the part out of the body: the rest is pushed back onto the request, so a
 * parser further on (multer) reads the remaining parts as if the field had never been sent. Anything
 * else (another first part, a part longer than the peek limit, a broken or aborted body) gives
 * undefined, and whatever was read is pushed back untouched. Nothing beyond the first few KB is read.
 */
export function takeLeadingMultipartField(req: Request, name: string): Promise<string | undefined> {
  const boundary = boundaryOf(req);
  if (!boundary) return Promise.resolve(undefined);
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  return new Promise((resolve) => {
    let buf: Buffer = Buffer.alloc(0);
    let done = false;
    const finish = (value: string | undefined, pushBack?: Buffer) => {
      if (done) return;
      done = true;
      req.pause();
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onEnd);
      if (pushBack?.length) req.unshift(pushBack);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      const peek = leadingField(buf, delimiter, name);
      if (typeof peek === 'object') return finish(peek.value, peek.rest);
      if (peek === 'no' || buf.length > PEEK_LIMIT) return finish(undefined, buf);
    };
    const onEnd = () => finish(undefined);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onEnd);
  });
}
