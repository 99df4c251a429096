import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';

/**
 * Builds the DSI web console (web/) into `<outDir>/console/`: one script bundled by esbuild (MSAL
 * included, for browsers of the last two years), its style sheet and the page. `npm run build` writes it
 * to dist/console, `npm run package` to .deploy/console, and `npm start` builds it before it serves.
 */
export const WEB_DIR = path.resolve(__dirname, '..', 'web');

/** `sourceMap: false` for the deployment package (nothing reads it there). */
export function buildConsole(outDir: string, options: { sourceMap?: boolean } = {}): string {
  const target = path.join(outDir, 'console');
  mkdirSync(target, { recursive: true });
  buildSync({
    entryPoints: [path.join(WEB_DIR, 'main.ts')],
    outfile: path.join(target, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    minify: true,
    sourcemap: options.sourceMap === false ? false : 'linked',
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'app.css']) copyFileSync(path.join(WEB_DIR, file), path.join(target, file));
  return target;
}

if (require.main === module) {
  const outDir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'dist'));
  console.log(`web console: ${buildConsole(outDir)}`);
}
