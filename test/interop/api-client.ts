/** The app on a loopback port, and a client generated from its OpenAPI document (openapi-fetch). */
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import createClient from 'openapi-fetch';
import type { TestApp } from '../support/app';
import type { paths } from './generated/api-types';

export async function listenApi(t: TestApp) {
  const server = http.createServer(t.app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  return {
    baseUrl,
    client: (token: string) =>
      createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
