// The demo administrator subscribes a receiver to events on the webhooks page: a wrong address
// is refused beside its field, the secret is shown once, and the subscription is paused and
// resumed. (Deliveries, signatures and sending a failed one again are tested over HTTP in
// crates/web/tests/app/webhooks.rs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { setUp, signIn, visitor, ADMIN } from '../lib/harness.js';

let env;
let receiver;
before(async () => {
  env = await setUp();
  receiver = http.createServer((req, res) => res.writeHead(200).end('ok'));
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  receiver?.close();
  await env?.close();
});

test('admin subscribes a receiver, sees the secret once and pauses it', async () => {
  const page = await env.browser.newPage();
  const visit = visitor('webhooks');
  try {
    await signIn(page, env.baseUrl, ADMIN);
    await page.getByRole('link', { name: 'Webhooks: events sent to other systems' }).click();
    await page.waitForURL('**/admin/webhooks');
    assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), 'Webhooks');
    await visit(page, 'empty');

    // Not a URL, and no event: both refused beside their fields.
    await page.getByLabel('Address (URL)').fill('not a url');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Add subscription' }).click()]);
    assert.match(await page.title(), /^Error: /);
    assert.match(await page.locator('#url-error').textContent(), /not a URL/);
    assert.ok(await page.locator('#events-error').isVisible());
    await visit(page, 'error');

    const url = `http://127.0.0.1:${receiver.address().port}/hook`;
    await page.getByLabel('Address (URL)').fill(url);
    await page.getByLabel(/pairs\.published/).check();
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Add subscription' }).click()]);
    const secret = (await page.locator('.flash .token').textContent()).trim();
    assert.match(secret, /^whsec_[0-9a-f]{48}$/);
    assert.ok((await page.locator('main table').first().textContent()).includes(url));
    await visit(page, 'created');
    // Shown once: the page read again does not hold it.
    await page.goto(`${env.baseUrl}/admin/webhooks`);
    assert.ok(!(await page.content()).includes(secret), 'the secret is not shown again');

    await Promise.all([page.waitForURL('**/admin/webhooks'), page.getByRole('button', { name: `Pause ${url}` }).click()]);
    assert.match(await page.locator('main').textContent(), /Deliveries to .* are paused/);
    assert.ok(await page.getByRole('button', { name: `Resume ${url}` }).isVisible());
    await visit(page, 'paused');
    await Promise.all([page.waitForURL('**/admin/webhooks'), page.getByRole('button', { name: `Resume ${url}` }).click()]);
    assert.match(await page.locator('main').textContent(), /Deliveries to .* are resumed/);
  } finally {
    await page.close();
  }
});
