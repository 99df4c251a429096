import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

/**
 * Which Chromium the browser tests drive, with nothing installed by hand:
 * 1. `CHROMIUM_PATH` (or `CHROME_PATH`), when set: that one, or an error if it is not there;
 * 2. a system Chromium when the machine has one (Debian's `/usr/bin/chromium`...);
 * 3. otherwise the build that `npm ci` brought: `@sparticuz/chromium` ships a headless Chromium inside its
 *    own tarball (brotli-compressed, no download at install or at run time), unpacked once into
 *    `node_modules/.cache/`.
 */
export function chromiumExecutable(): string {
  const configured = process.env.CHROMIUM_PATH ?? process.env.CHROME_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH ${configured} does not exist`);
    return configured;
  }
  const system = SYSTEM_CHROMIUMS.find((p) => existsSync(p));
  return system ?? unpackedChromium();
}

const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The package's Chromium, unpacked into a folder of its version. Several test workers may ask at once: each
 * unpacks into a folder of its own and renames it into place (a rename is atomic); a worker that loses the
 * race drops its copy and uses the winner's.
 */
function unpackedChromium(): string {
  // The package's entry point is ESM (`exports` has no package.json): its folder is found from here instead.
  const pkgDir = path.join(ROOT, 'node_modules', '@sparticuz', 'chromium');
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const target = path.join(ROOT, 'node_modules', '.cache', `sparticuz-chromium-${version}`);
  const executable = path.join(target, 'chromium');
  if (existsSync(executable)) return executable;
  const staging = `${target}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(
    path.join(staging, 'chromium'),
    brotliDecompressSync(readFileSync(path.join(pkgDir, 'bin', 'chromium.br'))),
    { mode: 0o755 },
  );
  try {
    renameSync(staging, target);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(executable)) throw err;
  }
  return executable;
}
