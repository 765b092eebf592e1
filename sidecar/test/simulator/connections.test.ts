/**
 * The simulator's HTTPS front behaves like pveproxy where a long-lived client can trip over it: TLS session
 * tickets (a resumed session shows no certificate), the 5 s idle close without a keep-alive hint, a closed
 * connection after every error answer and after the keep-alive budget of requests.
 */
import { connect, TLSSocket } from 'node:tls';
import { request, Agent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { Simulator, startSimulator } from '../../simulator';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ unauthorizedDelayMs: 0, idleTimeoutMs: 200, keepAliveRequests: 3 });
});
afterAll(() => sim.close());

const port = () => Number(new URL(sim.url).port);

function handshake(session?: Buffer): Promise<{ socket: TLSSocket; session: Buffer | null }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: port(), ca: sim.caPem, servername: 'localhost', session });
    let ticket: Buffer | null = null;
    socket.on('session', (s: Buffer) => {
      ticket = s;
    });
    socket.once('secureConnect', () => {
      // TLS 1.3 tickets arrive just after the handshake.
      setTimeout(() => resolve({ socket, session: ticket }), 50);
    });
    socket.once('error', reject);
  });
}

test('session tickets are issued; a resumed session shows no certificate', async () => {
  const first = await handshake();
  expect(first.socket.isSessionReused()).toBe(false);
  expect(first.socket.getPeerCertificate().fingerprint256).toBe(sim.certFingerprint256);
  expect(first.session).not.toBeNull();
  first.socket.destroy();
  const second = await handshake(first.session as Buffer);
  expect(second.socket.isSessionReused()).toBe(true);
  expect(second.socket.getPeerCertificate()?.fingerprint256 ?? '').toBe('');
  second.socket.destroy();
});

interface Seen {
  status: number;
  connection: string | undefined;
  keepAliveHint: string | undefined;
  socket: unknown;
}

function get(agent: Agent, path: string): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: port(), path: `/api2/json${path}`, agent, headers: { Authorization: `PVEAPIToken=${sim.token.id}=${sim.token.secret}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers['connection'], keepAliveHint: res.headers['keep-alive'] as string | undefined, socket: req.socket }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('Connection: Keep-Alive without a timeout hint; close after an error, after the budget, and when idle', async () => {
  const agent = new Agent({ ca: sim.caPem, keepAlive: true, maxSockets: 1 });
  try {
    const before = sim.connections();
    const a = await get(agent, '/version');
    expect(a).toMatchObject({ status: 200, connection: 'Keep-Alive', keepAliveHint: undefined });
    const b = await get(agent, '/version');
    expect(b.socket).toBe(a.socket);
    const c = await get(agent, '/version'); // the third of three
    expect(c.connection).toBe('close');
    const d = await get(agent, '/nodes/pve/qemu/999999/status/current');
    expect(d).toMatchObject({ status: 500, connection: 'close' });
    expect(d.socket).not.toBe(c.socket);
    const e = await get(agent, '/version');
    await sleep(400); // past the idle timeout
    const after = sim.connections();
    expect(after.accepted - before.accepted).toBe(3);
    expect(after.closedByServer - before.closedByServer).toBe(3); // budget, error, idle
    expect(after.open).toBe(0);
    expect(e.status).toBe(200);
  } finally {
    agent.destroy();
  }
});
