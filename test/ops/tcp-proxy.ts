import net from 'node:net';

/**
 * A TCP forwarder on a fixed loopback port in front of a database whose own port changes on every
 * restart, so the app keeps one URI. down(): refuses new connections and cuts open ones (what the app
 * sees when the database stops); up(port): forwards to the restarted database.
 */
export async function startTcpProxy(targetPort: number) {
  let target: number | undefined = targetPort;
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const onConnection = (client: net.Socket) => {
    if (target === undefined) return client.destroy();
    const upstream = net.connect({ host: '127.0.0.1', port: target });
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server = net.createServer(onConnection);
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const addr = server!.address();
        resolve(typeof addr === 'object' && addr ? addr.port : 0);
      });
    });
  const port = await listen(0);
  return {
    port,
    async down() {
      target = undefined;
      const closing = server ? new Promise<void>((r) => server!.close(() => r())) : Promise.resolve();
      for (const s of sockets) s.destroy();
      await closing;
      server = undefined;
    },
    async up(newTarget: number) {
      target = newTarget;
      if (!server) await listen(port);
    },
    async close() {
      await this.down();
    },
  };
}
