#!/usr/bin/env node
// Makes sure the browser the browser tests drive is present: Debian's chromium at /usr/bin/chromium (or
// $SHOAL_CHROMIUM). Browser downloads are not possible here, so the distribution package is the browser.
// As root it installs the package with apt-get; otherwise it says exactly what to install and exits 1.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const browser = process.env.SHOAL_CHROMIUM ?? '/usr/bin/chromium';

if (!existsSync(browser)) {
  if (process.getuid?.() !== 0) {
    process.stderr.write(
      `ensure-chromium: ${browser} is missing; install Debian's chromium first:\n` +
        '  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium\n' +
        '(or point SHOAL_CHROMIUM at a Chromium binary)\n',
    );
    process.exit(1);
  }
  process.stdout.write(`ensure-chromium: installing Debian's chromium (${browser} is missing)\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
    stdio: 'inherit',
    env,
  });
  if (!existsSync(browser)) {
    process.stderr.write(`ensure-chromium: apt-get finished but ${browser} is still missing\n`);
    process.exit(1);
  }
}
