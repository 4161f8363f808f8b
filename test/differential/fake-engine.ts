// A small recording fake of the Docker Engine API on a unix socket: enough for the real docker
// 28.2.2 client to get through run/create/exec and the other commands, recording what it sends.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Recorded {
  readonly method: string;
  /** Path without the /v1.xx prefix and without the query. */
  readonly path: string;
  readonly query: string;
  readonly body: unknown;
}

export interface FakeEngine {
  readonly socket: string;
  /** Requests per client, keyed by the User-Agent-independent request tag (see `tagged`). */
  take(tag: string): Recorded[];
  close(): Promise<void>;
}

export const API_VERSION = '1.50';
const ID = 'f'.repeat(64);

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Api-Version': API_VERSION,
    Ostype: 'linux',
  });
  res.end(text);
}

const CONTAINER = {
  Id: ID,
  Name: '/c',
  State: { Status: 'running', Running: true, Paused: false, Restarting: false, Pid: 1, ExitCode: 0 },
  Config: { Tty: false, OpenStdin: false, Image: 'img', Labels: {} },
  HostConfig: { NetworkMode: 'default' },
  NetworkSettings: { Ports: {} },
};

/**
 * Starts the engine. Each docker process is told to send a tag in its User-Agent-like header so
 * concurrent invocations do not mix: the harness sets DOCKER_CUSTOM_HEADERS via config.json.
 */
export async function startFakeEngine(socket: string): Promise<FakeEngine> {
  const byTag = new Map<string, Recorded[]>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://engine');
      const path = url.pathname.replace(/^\/v\d+\.\d+/, '');
      const method = req.method ?? 'GET';
      const tag = String(req.headers['x-cida-tag'] ?? '');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      if ((req.headers['content-type'] ?? '').includes('json') && raw) {
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
        }
      }
      if (!(path === '/_ping')) {
        const list = byTag.get(tag) ?? [];
        list.push({ method, path, query: url.search, body });
        byTag.set(tag, list);
      }
      route(method, path, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  return {
    socket,
    take(tag) {
      const r = byTag.get(tag) ?? [];
      byTag.delete(tag);
      return r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function route(method: string, path: string, res: ServerResponse): void {
  if (path === '/_ping') {
    res.writeHead(200, {
      'Api-Version': API_VERSION,
      Ostype: 'linux',
      'Docker-Experimental': 'false',
      'Builder-Version': '1',
      'Content-Type': 'text/plain',
      'Content-Length': 2,
    });
    res.end(method === 'HEAD' ? undefined : 'OK');
    return;
  }
  if (path === '/version')
    return json(res, 200, {
      Version: '28.2.2',
      ApiVersion: API_VERSION,
      MinAPIVersion: '1.24',
      Os: 'linux',
      Arch: 'amd64',
      GitCommit: 'fake',
      GoVersion: 'go1.24',
      KernelVersion: '6',
      BuildTime: '',
      Components: [],
    });
  if (path === '/info')
    return json(res, 200, {
      ID: 'fake',
      OSType: 'linux',
      Architecture: 'x86_64',
      Name: 'fake',
      ServerVersion: '28.2.2',
    });
  if (method === 'POST' && path === '/containers/create') return json(res, 201, { Id: ID, Warnings: [] });
  if (method === 'POST' && /^\/containers\/[^/]+\/exec$/.test(path)) return json(res, 201, { Id: ID });
  if (method === 'POST' && /^\/containers\/[^/]+\/start$/.test(path)) {
    res.writeHead(204);
    res.end();
    return;
  }
  if (method === 'POST' && /^\/containers\/[^/]+\/wait$/.test(path)) return json(res, 200, { StatusCode: 0 });
  if (method === 'GET' && /^\/containers\/[^/]+\/json$/.test(path)) return json(res, 200, CONTAINER);
  if (method === 'GET' && /^\/exec\/[^/]+\/json$/.test(path))
    return json(res, 200, { ID, Running: false, ExitCode: 0, ContainerID: ID });
  if (method === 'POST' && /^\/exec\/[^/]+\/start$/.test(path)) {
    res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream', 'Content-Length': 0 });
    res.end();
    return;
  }
  if (method === 'GET' && (path === '/containers/json' || path === '/images/json')) return json(res, 200, []);
  if (method === 'POST' && (path === '/images/create' || /^\/images\/.+\/push$/.test(path)))
    return json(res, 200, { status: 'ok' });
  if (method === 'POST' && path === '/auth') return json(res, 200, { Status: 'Login Succeeded' });
  // Attach and everything else: a plain error, so the client finishes promptly.
  return json(res, 500, { message: `fake engine: ${method} ${path} not implemented` });
}
