import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { projectRoot } from '../../server/paths';

export const SCALE_SECRET = 'scale-test-secret-0123456789-abcdefghij';

export interface ServerProcess {
  role: 'web' | 'jobs';
  pid: number;
  /** http://127.0.0.1:<port> (a jobs process answers /livez and /readyz only). */
  url: string;
  child: ChildProcess;
  /** Ends the process with `signal` and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** What it printed on stderr (for a failure message). */
  stderr(): string;
}

/**
 * The real server (`server/main.ts`, as `npm start` runs it) in a child process, on a free port, against
 * `mongodbUri`. Resolves once it prints where it listens.
 */
export async function startServerProcess(
  role: 'web' | 'jobs',
  mongodbUri: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      MONGODB_URI: mongodbUri,
      SESSION_SECRET: SCALE_SECRET,
      SECURE_COOKIES: 'false',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      TRUST_PROXY: 'loopback',
      COMPRESSION: 'off',
      ROLE: role,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${role} process did not start in 120 s:\n${err}`)),
      120_000,
    );
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /(?:running at|health checks at) (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${role} process exited (${code}) before listening:\n${err}`));
    });
  });
  return {
    role,
    pid: child.pid!,
    url,
    child,
    stderr: () => err,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export interface Proxy {
  url: string;
  /** Which backend served each request, in order (index into the backends). */
  served: number[];
  close(): Promise<void>;
}

/** The header that pins a request to one backend ("0", "1", …); without it requests take turns. */
export const PIN = 'x-scale-backend';

/**
 * A tiny round-robin HTTP load balancer: each request goes to the next backend (or the pinned one),
 * with X-Forwarded-For set as a real one would; the response says which backend served it.
 */
export async function startProxy(backends: string[]): Promise<Proxy> {
  let turn = 0;
  const served: number[] = [];
  const server = http.createServer((req, res) => {
    const pinned = Number(req.headers[PIN]);
    const i = Number.isInteger(pinned) && backends[pinned] ? pinned : turn++ % backends.length;
    served.push(i);
    const target = new URL(req.url ?? '/', backends[i]);
    const headers: http.OutgoingHttpHeaders = {
      ...req.headers,
      'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1',
    };
    delete headers[PIN];
    const upstream = http.request(target, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, { ...up.headers, [PIN]: String(i) });
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Delivery {
  to: string[];
  subject: string;
}

export interface HoldingSmtp {
  port: number;
  /** Messages the server accepted (answered 250 to), in order. */
  delivered: Delivery[];
  /** The message being held, once one is. */
  held(): boolean;
  /** The `n`-th message to arrive (counting from the start) is held unanswered. */
  holdAt(n: number): void;
  close(): Promise<void>;
}

/**
 * A loopback SMTP server that can hold one message without answering its DATA: a sender killed
 * meanwhile never got a 250, so that message was not delivered (as with a real server). Once a hold
 * is set, that sender's later messages wait behind it; other connections are served.
 */
export async function startHoldingSmtp(): Promise<HoldingSmtp> {
  let arrived = 0;
  let holdAt = Infinity;
  let holding = false;
  const delivered: Delivery[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        arrived++;
        if (arrived === holdAt) {
          holding = true;
          return; // never answered: the sender waits, and dies waiting
        }
        const subject = /^Subject: (.*)$/m.exec(raw)?.[1] ?? '';
        delivered.push({ to: session.envelope.rcptTo.map((r) => r.address), subject });
        callback(null);
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.server.address() as AddressInfo).port,
    delivered,
    held: () => holding,
    holdAt(n: number) {
      holdAt = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `check` until it returns something truthy; fails with `what` after `ms`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms = 60_000,
  every = 100,
): Promise<T> {
  const until = performance.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}
