// Test harness: starts the flipside binary in demo mode on a free port with a
// fresh data directory, launches Debian's chromium through playwright-core, and
// offers helpers for signing in, axe-core checks and screenshots.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, mkdir, rm, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
export const browserDir = path.resolve(here, '..');
export const repoRoot = path.resolve(browserDir, '..', '..');
export const resultsDir = path.join(browserDir, 'test-results');

export const DEMO_PASSWORD = 'flipside-demo';
export const COORDINATOR = 'coordinator@demo.flipside.test';
export const ADMIN = 'admin@demo.flipside.test';
export const MENTOR = 'mentor@demo.flipside.test';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const STARTUP_TIMEOUT_MS = Number(process.env.FLIPSIDE_STARTUP_TIMEOUT_MS || 60_000);

function flipsideBin() {
  const bin = process.env.FLIPSIDE_BIN || 'target/debug/flipside';
  return path.isAbsolute(bin) ? bin : path.resolve(repoRoot, bin);
}

function chromiumPath() {
  return process.env.CHROMIUM_BIN || '/usr/bin/chromium';
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `flipside demo` and resolves once it prints its listening line.
 * Returns { baseUrl, output(), stop() }.
 */
export async function startFlipside({ dataDir } = {}) {
  const bin = flipsideBin();
  if (!existsSync(bin)) {
    throw new Error(`flipside binary not found at ${bin}; build it (cargo build -p flipside) or set FLIPSIDE_BIN`);
  }
  let lastError;
  // The port is free when we ask; another process could take it before flipside
  // binds, so try a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(bin, await freePort(), dataDir);
    } catch (e) {
      lastError = e;
      if (!/address already in use|Address in use|AddrInUse/i.test(String(e.message))) break;
    }
  }
  throw lastError;
}

/**
 * `given`: a data directory to start in and keep afterwards (lib/seed.js); without it, a fresh
 * temporary one removed when the server stops.
 */
async function startOnce(bin, port, given) {
  const dataDir = given ?? await mkdtemp(path.join(tmpdir(), 'flipside-browser-'));
  const removeDataDir = () => (given ? Promise.resolve() : rm(dataDir, { recursive: true, force: true }));
  // run.sh seeds the demo organisation once (lib/seed.js) and each test file starts from a
  // copy of it: `flipside demo` finds its organisation there and does not make it again.
  // Without BROWSER_DEMO_TEMPLATE (a test file run on its own) the demo seeds afresh.
  const template = process.env.BROWSER_DEMO_TEMPLATE;
  if (template && !given) await cp(template, dataDir, { recursive: true });
  const child = spawn(bin, ['demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], {
    cwd: repoRoot,
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const output = () => out;
  let exited = false;
  const exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => { exited = true; resolve({ code, signal }); }));

  const baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`flipside did not print its listening line within ${STARTUP_TIMEOUT_MS} ms; output so far:\n${out}`));
    }, STARTUP_TIMEOUT_MS);
    const onData = (chunk) => {
      out += chunk.toString();
      const m = out.match(/flipside is listening on (http:\/\/\S+?)\/?(\s|$)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    exitPromise.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`flipside exited (code ${code}, signal ${signal}) before listening; output:\n${out}`));
    });
  }).catch(async (e) => {
    if (!exited) child.kill('SIGKILL');
    await exitPromise;
    await removeDataDir();
    throw e;
  });

  async function stop() {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, 5_000);
      await exitPromise;
      clearTimeout(timer);
    }
    await removeDataDir();
  }

  return { baseUrl, output, stop };
}

/** Launches Debian's chromium (Playwright's own browser downloads are not used). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

let axeSource;
async function axeScript() {
  if (!axeSource) axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/** Formats axe violations so a failing test says what is wrong and where. */
export function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    at ${n.target.join(' ')}\n      ${n.html}\n      ${(n.failureSummary || '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

/**
 * Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page and throws with a
 * readable list if anything is violated. The script is evaluated through the
 * DevTools protocol, so the app's Content-Security-Policy stays in force.
 */
/** Rejects with a message naming `what` when `promise` has not settled within `ms`. */
async function within(ms, what, promise) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether the page runs scripts. In a context with JavaScript turned off, Playwright can still
 * evaluate, but the page's timers never fire, so axe (which waits on them) would wait for
 * ever: a short probe of a timer decides.
 */
async function runsScripts(page) {
  const timerFires = page.evaluate(() => new Promise((resolve) => setTimeout(() => resolve(true), 0)));
  return within(3_000, 'a timer probe', timerFires).catch(() => false);
}

/**
 * Checks a page that runs no scripts: its HTML is loaded into a page of the same origin (so
 * the same stylesheet applies) and size in a context that does run them, and axe checks that.
 */
async function checkHtmlA11y(page, label) {
  const context = await page.context().browser().newContext({ viewport: page.viewportSize() });
  try {
    const scripted = await context.newPage();
    await scripted.goto(new URL('/sign-in', page.url()).href);
    await scripted.setContent(await page.content());
    return await checkA11y(scripted, `${label} (without JavaScript)`);
  } finally {
    await context.close();
  }
}

export async function checkA11y(page, label = page.url()) {
  if (!(await runsScripts(page))) return checkHtmlA11y(page, label);
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) await page.evaluate(await axeScript());
  const results = await within(
    60_000,
    `axe on ${label}`,
    page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
      AXE_TAGS,
    ),
  );
  if (results.violations.length > 0) {
    const msg = `axe found ${results.violations.length} WCAG 2.2 A/AA violation(s) on ${label} (${page.url()}):\n${formatViolations(results.violations)}`;
    throw new Error(msg);
  }
  // Items axe could not decide (e.g. contrast over an unusual background) need a human look.
  for (const v of results.incomplete) {
    console.log(`axe needs review on ${label}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  return results;
}

/** Saves a full-page screenshot into test-results/. */
export async function screenshot(page, name) {
  await mkdir(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name.replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Makes a "visit" helper: every page visited is screenshotted and checked with axe.
 * `prefix` keeps screenshot names of different tests apart.
 */
export function visitor(prefix) {
  let n = 0;
  return async function visited(page, name) {
    n += 1;
    await screenshot(page, `${prefix}-${String(n).padStart(2, '0')}-${name}`);
    await checkA11y(page, `${prefix}: ${name}`);
  };
}

/** Signs in through the form; resolves once the browser has left /sign-in. */
export async function signIn(page, baseUrl, email, password = DEMO_PASSWORD, visit) {
  await page.goto(`${baseUrl}/sign-in`);
  if (visit) await visit(page, 'sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/sign-in')),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
}

/** Starts a server and a browser; returns { server, browser, close() } for before/after hooks. */
export async function setUp() {
  const server = await startFlipside();
  let browser;
  try {
    browser = await launchBrowser();
  } catch (e) {
    await server.stop();
    throw e;
  }
  return {
    server,
    browser,
    baseUrl: server.baseUrl,
    async close() {
      await browser.close().catch(() => {});
      await server.stop();
    },
  };
}
