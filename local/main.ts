import { startLocalHost } from './host';
import { loadLocalSettings } from './local-settings';

// `npm start`: the local host, until SIGINT or SIGTERM; state is saved under .local/ on the way out.
async function main(): Promise<void> {
  loadLocalSettings();
  const host = await startLocalHost({ persist: true });
  console.log(`Onboarding service (local host) listening on ${host.url}`);
  console.log(`  health:  ${host.url}/api/health`);
  console.log(`  token:   npm run --silent token -- --user you@example.org --roles Onboarding.Approve`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping, saving state...`);
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
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
