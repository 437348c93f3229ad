// Screenshots of the main pages for the README and docs. Written only when
// KRAKEN_SCREENSHOTS_DIR names a folder: CTest points it into the build dir, so a test run
// never changes the source tree; docs/screenshots/ is refreshed by running the tests with
// KRAKEN_SCREENSHOTS_DIR=../docs/screenshots.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dir = process.env.KRAKEN_SCREENSHOTS_DIR ? resolve(process.env.KRAKEN_SCREENSHOTS_DIR) : null;

// Saves the viewport of `page` (the whole page with `fullPage`) as <dir>/<name>.png, once
// fonts are loaded and pending renders are done.
export async function screenshot(page, name, { fullPage = false } = {}) {
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.evaluate(() => document.fonts?.ready);
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage, animations: 'disabled', caret: 'hide' });
}
