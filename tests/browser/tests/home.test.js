// The home page as a to-do list (issue 14): a coordinator's counts lead to the pages where the
// work is done, a pair member sees their pair and what comes next, and the cycle page groups
// the year by stage. Each page is checked with axe-core at 1280 and 390 CSS pixels wide.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, signIn, visitor, COORDINATOR } from '../lib/harness.js';

const PAIR_MEMBER = 'mentor2@demo.flipside.test';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

async function assertNoHorizontalScroll(page, label) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= clientWidth, `${label}: ${scrollWidth}px wide in a ${clientWidth}px viewport`);
}

for (const width of [1280, 390]) {
  test(`a coordinator's home lists what waits, each count leading to its page (${width}px)`, async () => {
    const context = await env.browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const visit = visitor(`home-${width}`);
    try {
      await signIn(page, env.baseUrl, COORDINATOR);
      const main = await page.locator('main').textContent();
      assert.ok(!main.includes('being built'), main);
      assert.ok(!main.includes('Open calls'), 'a coordinator is not offered the student call');
      await assertNoHorizontalScroll(page, 'coordinator home');
      await visit(page, 'coordinator');

      // Every count on the list opens its page.
      const items = page.locator('#schemes-you-run ul[aria-label^="Waiting for you"] a');
      const n = await items.count();
      assert.ok(n > 0, 'the demo leaves the coordinator something to do');
      const hrefs = [];
      for (let i = 0; i < n; i += 1) hrefs.push(await items.nth(i).getAttribute('href'));
      for (const href of hrefs) {
        const r = await page.request.get(`${env.baseUrl}${href}`);
        assert.equal(r.status(), 200, href);
      }
      const first = items.first();
      const firstHref = await first.getAttribute('href');
      await Promise.all([page.waitForURL((u) => firstHref.startsWith(u.pathname)), first.click()]);
      await visit(page, 'first-item');

      // The cycle page, grouped by stage.
      await page.goto(`${env.baseUrl}/`);
      await Promise.all([
        page.waitForURL(/\/cycles\/\d+$/),
        page.locator('#schemes-you-run a[href^="/cycles/"]').filter({ hasText: /cycle/ }).first().click(),
      ]);
      for (const stage of ['Recruit', 'Match', 'Run', 'Evaluate']) {
        await page.getByRole('heading', { level: 3, name: new RegExp(`^\\d\\. ${stage}`) }).waitFor();
      }
      await assertNoHorizontalScroll(page, 'cycle page');
      await visit(page, 'cycle-stages');
    } finally {
      await context.close();
    }
  });

  test(`a pair member's home shows their pair and what comes next (${width}px)`, async () => {
    const context = await env.browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const visit = visitor(`home-${width}`);
    try {
      await signIn(page, env.baseUrl, PAIR_MEMBER);
      await page.getByRole('heading', { level: 2, name: 'Your mentoring' }).waitFor();
      const main = await page.locator('main').textContent();
      assert.ok(!main.includes('Schemes you run'), 'no coordinator items');
      assert.ok(!main.includes('being built'), main);
      await assertNoHorizontalScroll(page, 'pair member home');
      await visit(page, 'pair-member');
      const pair = page.getByRole('link', { name: /^Your pair with / }).first();
      await Promise.all([page.waitForURL(/\/pairs\/\d+$/), pair.click()]);
    } finally {
      await context.close();
    }
  });
}
