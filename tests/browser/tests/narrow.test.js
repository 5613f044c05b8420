// At 320 CSS pixels wide (WCAG 1.4.10 Reflow) pages do not scroll sideways and pass axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, signIn, visitor, COORDINATOR } from '../lib/harness.js';

const WIDTH = 320;
let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

async function assertNoHorizontalScroll(page, label) {
  const { scrollWidth, widest } = await page.evaluate(() => {
    // Name the widest element poking out, to make a failure easy to fix.
    let widest = null;
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > document.documentElement.clientWidth + 0.5 && (!widest || r.right > widest.right)) {
        widest = { right: Math.round(r.right), tag: el.tagName.toLowerCase(), cls: el.className, text: (el.textContent || '').trim().slice(0, 60) };
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, widest };
  });
  assert.ok(scrollWidth <= WIDTH, `${label}: document is ${scrollWidth}px wide at a ${WIDTH}px viewport; widest: ${JSON.stringify(widest)}`);
}

test('pages reflow at 320px without horizontal scrolling and pass axe', async () => {
  const context = await env.browser.newContext({ viewport: { width: WIDTH, height: 640 } });
  const page = await context.newPage();
  const visit = visitor('narrow');
  try {
    await page.goto(`${env.baseUrl}/`);
    await assertNoHorizontalScroll(page, 'home (signed out)');
    await visit(page, 'home-signed-out');

    await page.goto(`${env.baseUrl}/sign-in`);
    await assertNoHorizontalScroll(page, 'sign-in');
    await visit(page, 'sign-in');

    await signIn(page, env.baseUrl, COORDINATOR);
    await assertNoHorizontalScroll(page, 'home (coordinator)');
    await visit(page, 'home-coordinator');

    await page.goto(`${env.baseUrl}/schemes`);
    await assertNoHorizontalScroll(page, 'schemes');
    await visit(page, 'schemes');

    await page.locator('main table a[href^="/schemes/"]').first().click();
    await page.waitForURL(/\/schemes\/\d+$/);
    await assertNoHorizontalScroll(page, 'scheme');
    await visit(page, 'scheme');

    // "You said, we did": the evidence's long links wrap instead of widening the page.
    // (on each scheme's page, to reach the demo's scheme whose actions have evidence).
    const schemeUrl = page.url();
    await page.goto(`${env.baseUrl}/schemes`);
    const schemes = await page.locator('main table a[href^="/schemes/"]').evaluateAll(
      (links) => links.map((a) => a.getAttribute('href')));
    let links = 0;
    for (const href of schemes) {
      await page.goto(`${env.baseUrl}${href}/you-said-we-did`);
      await assertNoHorizontalScroll(page, `you said, we did (${href})`);
      links += await page.locator('main a.long-link').count();
    }
    assert.ok(links > 0, 'the demo shows evidence with a link');
    await page.goto(schemeUrl);

    await page.goto(`${env.baseUrl}/schemes/new`);
    await assertNoHorizontalScroll(page, 'new scheme form');
    await visit(page, 'scheme-new');

    const cycle = page.locator('main a[href^="/cycles/"]').first();
    await page.goBack();
    if (await cycle.count()) {
      await cycle.click();
      await page.waitForURL(/\/cycles\/\d+$/);
      await assertNoHorizontalScroll(page, 'cycle');
      await visit(page, 'cycle');
    }
  } finally {
    await context.close();
  }
});

test('the tutoring dashboard on a phone: its wide table scrolls inside a focusable region, columns unclipped', async () => {
  for (const width of [WIDTH, 390]) {
    const context = await env.browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    const visit = visitor(`narrow-${width}`);
    try {
      await signIn(page, env.baseUrl, COORDINATOR);
      await page.getByRole('link', { name: 'Tutoring dashboard' }).click();
      await page.waitForURL(/\/tutoring\/dashboard$/);
      const region = page.getByRole('region', { name: /Personal tutoring by School/ });
      assert.equal(await region.getAttribute('tabindex'), '0', 'the scrolling region takes the keyboard focus');
      const { page: pageWidth, region: regionWidth, table, header } = await page.evaluate(() => {
        const r = document.querySelector('main .table-scroll');
        const th = r.querySelector('thead th:nth-child(5)');
        return {
          page: document.documentElement.scrollWidth,
          region: r.clientWidth,
          table: r.scrollWidth,
          header: th.scrollWidth <= th.clientWidth + 1,
        };
      });
      assert.ok(pageWidth <= width, `the page itself does not scroll sideways (${pageWidth}px)`);
      assert.ok(table > regionWidth, `the table scrolls inside its region (${table} > ${regionWidth})`);
      assert.ok(header, 'a long column heading wraps inside its column, not clipped');
      await visit(page, 'tutoring-dashboard');
    } finally {
      await context.close();
    }
  }
});
