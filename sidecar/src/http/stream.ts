/** Sending a long answer piece by piece, at the pace the client takes it. */
import type { Response } from 'express';

/**
 * Writes `first`, then every chunk of `rest`, waiting for 'drain' whenever the socket's buffer is full, so
 * a slow or stalled client holds one chunk in memory, not the whole answer; stops when the client goes.
 */
export async function sendChunks(res: Response, first: Iterable<string>, rest: Iterator<string>): Promise<void> {
  const write = async (chunk: string): Promise<boolean> => {
    if (res.write(chunk)) return true;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => () => {
        res.off('drain', onDrain);
        res.off('close', onClose);
        resolve(ok);
      };
      const onDrain = done(true);
      const onClose = done(false);
      res.once('drain', onDrain);
      res.once('close', onClose);
    });
  };
  for (const chunk of first) if (!(await write(chunk))) return;
  for (let next = rest.next(); !next.done; next = rest.next()) {
    if (res.destroyed || !(await write(next.value))) return;
  }
  res.end();
}
