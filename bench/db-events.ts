import type { Connection } from 'mongoose';

/**
 * Counts the driver's view of the database during a run: a heartbeat that fails or a pool that is
 * cleared turns into 503s for users, so the bench reports them beside each page instead of leaving
 * them to be guessed from status codes.
 */
export function watchDatabase(db: Connection) {
  const counts: Record<string, number> = {};
  const firstErrors: string[] = [];
  const bump = (name: string, detail?: unknown) => {
    counts[name] = (counts[name] ?? 0) + 1;
    if (detail && firstErrors.length < 5) firstErrors.push(`${name}: ${String(detail)}`);
  };
  const client = db.getClient();
  client.on('serverHeartbeatFailed', (e) => bump('heartbeatFailed', e.failure));
  client.on('connectionPoolCleared', () => bump('poolCleared'));
  client.on('serverDescriptionChanged', (e) => {
    if (e.newDescription.type === 'Unknown') bump('serverUnknown', e.newDescription.error);
  });
  db.on('disconnected', () => bump('disconnected'));
  return {
    /** Events since the last call, e.g. "heartbeatFailed 2, poolCleared 1" ('' when none). */
    take(): { summary: string; errors: string[] } {
      const summary = Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      const errors = firstErrors.splice(0);
      for (const k of Object.keys(counts)) delete counts[k];
      return { summary, errors };
    },
  };
}
