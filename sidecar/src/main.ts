/** `npm run sidecar`: configuration, recovery of interrupted work, the expiry sweep, and the HTTP server. */
import { loadConfig } from './config';
import { jsonLogger } from './logger';
import { openSidecar } from './sidecar';
import { recover } from './domain/deployments/recovery';
import { ProxmoxError } from './proxmox/client';

async function main(): Promise<void> {
  const log = jsonLogger();
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  if (config.generatedKeyFile) {
    log.warn('no SPP_SIGNING_KEYS given; using the generated key', { keyFile: config.generatedKeyFile, keyIds: [...config.keyring.keys()] });
  }
  const sidecar = openSidecar({ dataDir: config.dataDir, keyring: config.keyring, log, httpProxmox: { taskPollMs: config.proxmoxPollMs }, proxmoxHosts: config.proxmoxHosts });
  const { services } = sidecar;
  await recover(services.portal, services.background, services.provisioner, services.ips);

  let archiveRefusal: string | null = null;
  const sweep = setInterval(() => {
    services.expiry.sweep().catch((err: unknown) => log.error('expiry sweep failed', { error: String(err) }));
    services.portal.audit.flushRepeats();
    try {
      const archived = services.auditRetention.archiveDue();
      if ('refused' in archived && archived.refused !== archiveRefusal) log.error('audit retention stopped: the rows due are not an intact chain; run npm run audit:verify', { reason: archived.refused });
      archiveRefusal = 'refused' in archived ? archived.refused : null;
      if (archived.archived > 0) log.info('audit rows archived', { ...archived });
    } catch (err) {
      log.error('audit retention failed', { error: String(err) });
    }
  }, config.sweepIntervalMs);
  const reconcile = (): Promise<void> =>
    services.background.run('reconcile', async () => {
      try {
        const found = await services.reconciler.run();
        if (found.vanished.length + found.leftoversGone.length + found.untrackedVmids.length > 0) log.warn('reconcile found drift', { ...found });
      } catch (err) {
        if (!(err instanceof ProxmoxError)) throw err;
        log.warn('reconcile could not reach Proxmox', { error: err.message });
      }
    });
  void reconcile();
  const reconcileTimer = setInterval(reconcile, config.reconcileIntervalMs);

  const server = sidecar.app.listen(config.port, config.host, () => {
    log.info('sidecar listening', { url: `http://${config.host}:${config.port}`, dataDir: config.dataDir });
  });
  server.on('error', (err) => {
    process.stderr.write(`The sidecar cannot listen on ${config.host}:${config.port}: ${err.message}\n`);
    process.exit(1);
  });

  const stop = () => {
    clearInterval(sweep);
    clearInterval(reconcileTimer);
    server.close(() => {
      void sidecar.close().then(() => process.exit(0));
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
