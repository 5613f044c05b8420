// Keyboard: the first Tab on a page reaches the skip link, which is visible when
// focused and moves focus to the main content.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, signIn, visitor, COORDINATOR } from '../lib/harness.js';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

async function checkSkipLink(page, label) {
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    const r = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      text: el.textContent.trim(),
      href: el.getAttribute('href'),
      visible: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight,
    };
  });
  assert.equal(focused.tag, 'a', `${label}: first Tab focuses a link`);
  assert.equal(focused.text, 'Skip to main content', `${label}: first Tab focuses the skip link`);
  assert.equal(focused.href, '#main');
  assert.ok(focused.visible, `${label}: the focused skip link is on screen`);

  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash === '#main');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main', `${label}: focus moves to main`);
  // The next Tab continues inside main, not back in the header.
  await page.keyboard.press('Tab');
  assert.ok(
    await page.evaluate(() => document.getElementById('main').contains(document.activeElement)),
    `${label}: after skipping, Tab moves within main`,
  );
}

test('the first Tab focuses the skip link, which leads to main', async () => {
  const page = await env.browser.newPage();
  const visit = visitor('keyboard');
  try {
    await page.goto(`${env.baseUrl}/sign-in`);
    await checkSkipLink(page, 'sign-in');
    await signIn(page, env.baseUrl, COORDINATOR);
    for (const path of ['/', '/schemes', '/schemes/new', '/account']) {
      await page.goto(`${env.baseUrl}${path}`);
      await checkSkipLink(page, path);
    }
    // Show what the focused skip link looks like.
    await page.goto(`${env.baseUrl}/`);
    await page.keyboard.press('Tab');
    await visit(page, 'skip-link-focused');
  } finally {
    await page.close();
  }
});
