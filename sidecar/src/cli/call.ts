/**
 * `npm run call -- METHOD /v1/path [json-body] [--as login]`: signs one request with the data folder's key
 * (or SPP_SIGNING_KEYS) and prints the answer. The actor is a demo administrator unless --as names another.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config';
import { encodeActor, signature } from '../auth/canonical';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i === -1 ? undefined : args[i + 1];
  };
  const login = flag('--as') ?? 'admin';
  const userId = Number(flag('--id') ?? '1');
  const skip = new Set(['--as', '--id'].flatMap((f) => (args.includes(f) ? [args.indexOf(f), args.indexOf(f) + 1] : [])));
  const positional = args.filter((_, i) => !skip.has(i));
  const [method = 'GET', target = '/v1/me', body = ''] = positional;
  const config = loadConfig(process.env);
  const [keyId, key] = [...config.keyring.entries()][0] as [string, Buffer];
  const actor = encodeActor({ id: userId, login, email: `${login}@example.com`, name: login, caps: login === 'admin' ? ['manage_options'] : [] });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? '' : target.slice(q + 1);
  const bytes = Buffer.from(body, 'utf8');
  const headers: Record<string, string> = {
    'X-SPP-Key-Id': keyId,
    'X-SPP-Timestamp': timestamp,
    'X-SPP-Nonce': nonce,
    'X-SPP-Actor': actor,
    'X-SPP-Signature': signature(key, { keyId, timestamp, nonce, method, path, query, actorHeader: actor, body: bytes }),
  };
  if (bytes.length > 0) headers['Content-Type'] = 'application/json';
  const res = await fetch(`http://${config.host}:${config.port}${target}`, { method, headers, body: bytes.length > 0 ? bytes : undefined });
  process.stdout.write(`${res.status} ${res.statusText}\n${await res.text()}\n`);
  process.exitCode = res.ok ? 0 : 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
});
