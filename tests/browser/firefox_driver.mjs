// Drives Debian's Firefox ESR for the browser tests, over WebDriver BiDi with
// puppeteer-core (which launches the given Firefox and downloads nothing).
//
// One Firefox per driver process; commands come as JSON lines on stdin,
// {"id": n, "op": "...", ...}, and each is answered by one JSON line on stdout,
// {"id": n, "ok": value} or {"id": n, "error": "..."}. A page is a fresh
// browser context (its own storage and media), named by the number newPage
// returns. tests/browser/firefox.py is the Python side.
//
// Ops: newPage {} -> page; goto {page, url}; evaluate {page, fn, arg}: the
// value of (fn)(arg), awaited; click {page, selector}; fill {page, selector,
// value}; errors {page}: the page's uncaught errors so far; logs {page}: its console
// warnings and errors so far; version {};
// closePage {page}; quit {}.

import { createInterface } from 'node:readline';
import puppeteer from 'puppeteer-core';

const FIREFOX = process.env.FRANKLY_FIREFOX || '/usr/bin/firefox-esr';

// What a test needs of Firefox: fake camera, microphone and screen with no
// prompts, WebRTC over loopback (the host candidates are plain addresses,
// not mDNS names, as in the Chromium tests), media that plays without a
// gesture, and nothing that phones home.
const PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.ice.default_address_only': false,
  'media.getusermedia.screensharing.fake': true,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  'app.update.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'network.captive-portal-service.enabled': false,
};

const browser = await puppeteer.launch({
  browser: 'firefox',
  protocol: 'webDriverBiDi',
  executablePath: FIREFOX,
  headless: true,
  extraPrefsFirefox: PREFS,
  defaultViewport: { width: 1280, height: 800 },
  // FRANKLY_FIREFOX_LOG=nicer:5 (say) writes Firefox's own log to /tmp/frankly-firefox.log.
  env: process.env.FRANKLY_FIREFOX_LOG
    ? { ...process.env, MOZ_LOG: process.env.FRANKLY_FIREFOX_LOG, MOZ_LOG_FILE: '/tmp/frankly-firefox.log' }
    : process.env,
});

/** @type {Map<number, {context: any, page: any, errors: string[], logs: string[]}>} */
const pages = new Map();
let nextPage = 1;

/** @param {number} id */
function pageOf(id) {
  const got = pages.get(id);
  if (!got) throw new Error(`no page ${id}`);
  return got;
}

/** @param {any} cmd */
async function run(cmd) {
  switch (cmd.op) {
    case 'version':
      return await browser.version();
    case 'newPage': {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const errors = [];
      const logs = [];
      page.on('pageerror', (err) => errors.push(String(err && err.message ? err.message : err)));
      page.on('console', (msg) => {
        if (msg.type() === 'warn' || msg.type() === 'error') logs.push(`${msg.type()}: ${msg.text()}`);
      });
      const id = nextPage++;
      pages.set(id, { context, page, errors, logs });
      return id;
    }
    case 'goto':
      await pageOf(cmd.page).page.goto(cmd.url, { waitUntil: 'load' });
      return null;
    case 'evaluate': {
      // A string, so any function source from Python runs; its Promise is awaited.
      const source = `(${cmd.fn})(${JSON.stringify(cmd.arg ?? null)})`;
      const value = await pageOf(cmd.page).page.evaluate(source);
      return value === undefined ? null : value;
    }
    case 'click': {
      const handle = await pageOf(cmd.page).page.waitForSelector(cmd.selector, { visible: true });
      await handle.click();
      await handle.dispose();
      return null;
    }
    case 'fill': {
      const page = pageOf(cmd.page).page;
      const handle = await page.waitForSelector(cmd.selector, { visible: true });
      await handle.evaluate((el) => {
        el.value = '';
      });
      await handle.type(cmd.value);
      await handle.dispose();
      return null;
    }
    case 'errors':
      return pageOf(cmd.page).errors;
    case 'logs':
      return pageOf(cmd.page).logs;
    case 'closePage': {
      const got = pages.get(cmd.page);
      pages.delete(cmd.page);
      if (got) await got.context.close();
      return null;
    }
    case 'quit':
      await browser.close();
      process.exit(0);
    default:
      throw new Error(`unknown op ${cmd.op}`);
  }
}

/** @param {any} reply */
function answer(reply) {
  process.stdout.write(JSON.stringify(reply) + '\n');
}

answer({ id: 0, ok: await browser.version() }); // ready
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) return;
  const cmd = JSON.parse(line);
  run(cmd).then(
    (ok) => answer({ id: cmd.id, ok }),
    (err) => answer({ id: cmd.id, error: String(err && err.stack ? err.stack : err) }),
  );
});
lines.on('close', async () => {
  await browser.close();
  process.exit(0);
});
