/**
 * `npm run call -- METHOD /v1/path [json-body] [--as login]`: signs one request with the data folder's key
 * (or SPP_SIGNING_KEYS) and prints the answer. The actor is a demo administrator unless --as names another.
 */
import { loadConfig } from '../config';
import { encodeActor, signedRequestHeaders } from '../auth/canonical';

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
  const bytes = Buffer.from(body, 'utf8');
  const headers = signedRequestHeaders({ id: keyId, secret: key }, { method, target, actorHeader: actor, body: bytes, timestamp: Math.floor(Date.now() / 1000) });
  if (bytes.length > 0) headers['Content-Type'] = 'application/json';
  const res = await fetch(`http://${config.host}:${config.port}${target}`, { method, headers, body: bytes.length > 0 ? bytes : undefined });
  process.stdout.write(`${res.status} ${res.statusText}\n${await res.text()}\n`);
  process.exitCode = res.ok ? 0 : 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
});
