// Opens Debian's Chromium (or CHROMIUM_PATH) with playwright-core and signs in.

import { chromium } from 'playwright-core';
import { ADMIN_PASSWORD } from './server.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function openBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

// A page signed in as admin, at `path` of the server at `url`.
export async function signedInPage(browser, url, path = '/', viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, baseURL: url });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('User').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  if (path !== '/') await page.goto(path);
  return page;
}
