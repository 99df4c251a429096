import { StateUnreadable } from './durable-state';
import { startLocalHost } from './host';
import { loadLocalSettings } from './local-settings';

/** Signals within this span of the first are the same stop, relayed. */
const RELAYED_SIGNAL_MS = 1000;

// `npm start`: the local host, until SIGINT or SIGTERM. Every acknowledged change is journaled under
// .local/ before its answer; a clean stop folds the journal into a snapshot, a second signal (a second later) stops at once.
async function main(): Promise<void> {
  loadLocalSettings();
  const host = await startLocalHost({ persist: true });
  console.log(`Onboarding service (local host) listening on ${host.url}`);
  console.log(`  console: ${host.url}/ (the DSI web console; sign in with the picker)`);
  console.log(`  health:  ${host.url}/api/health`);
  console.log(`  token:   npm run --silent token -- --user you@example.org --roles Onboarding.Approve`);
  let stopping = false;
  let firstSignalAt = 0;
  const stop = (signal: string) => {
    if (stopping) {
      // One Ctrl-C reaches this process more than once: the terminal signals the whole group, and tsx (and npm)
      // relay it to the process they run, within milliseconds. That is the same request to stop cleanly; only
      // a signal sent later, by someone waiting, stops at once.
      if (Date.now() - firstSignalAt < RELAYED_SIGNAL_MS) return;
      // Nothing acknowledged is lost: the journal has it already.
      console.log(`${signal} again: stopping at once`);
      process.exit(130);
    }
    stopping = true;
    firstSignalAt = Date.now();
    console.log(`${signal}: stopping (requests in flight get 5 s), saving state...`);
    host.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('failed to stop cleanly', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(
    err instanceof StateUnreadable ? `local host: ${err.message}` : err instanceof Error ? err.message : err,
  );
  process.exit(1);
});
