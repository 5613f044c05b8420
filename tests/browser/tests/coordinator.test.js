// The demo coordinator signs in, creates a scheme, starts a cycle (a draft), opens
// its call and closes it, each step confirmed on its own page, and sees the change
// in the history table.
// Every page visited is screenshotted and checked with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, signIn, visitor, COORDINATOR } from '../lib/harness.js';

// Markup-like characters prove the name is escaped, not rendered.
const SCHEME_NAME = 'Listening Lab <b>bold</b> & "quoted" pilot';
const PURPOSE = 'Students who are heard least <i>teach</i> senior staff what studying here is like & why.';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

test('coordinator creates a scheme and a cycle, and moves the cycle to matching', async () => {
  const page = await env.browser.newPage();
  const visit = visitor('coordinator');
  try {
    await signIn(page, env.baseUrl, COORDINATOR, undefined, visit);
    assert.equal(new URL(page.url()).pathname, '/');
    await assert.doesNotReject(page.getByRole('heading', { level: 1, name: /^Welcome,/ }).waitFor());
    await visit(page, 'home');

    await page.goto(`${env.baseUrl}/schemes`);
    await visit(page, 'schemes');
    await page.getByRole('link', { name: 'Create a scheme' }).first().click();
    await page.waitForURL('**/schemes/new');
    await visit(page, 'scheme-new');

    await page.getByLabel('Name').fill(SCHEME_NAME);
    const kind = page.getByLabel('Kind of scheme');
    const kinds = await kind.locator('option').evaluateAll((os) => os.map((o) => o.value));
    assert.ok(kinds.length > 0, 'the kind select has options');
    await kind.selectOption(kinds[0]);
    await page.getByLabel('Purpose').fill(PURPOSE);
    await Promise.all([
      page.waitForURL(/\/schemes\/\d+$/),
      page.getByRole('button', { name: 'Create scheme' }).click(),
    ]);
    const schemeUrl = page.url();

    // The name shows as text, in the heading and the title, and is not parsed as markup.
    const h1 = page.getByRole('heading', { level: 1 });
    assert.equal((await h1.textContent()).trim(), SCHEME_NAME);
    assert.equal(await h1.locator('b').count(), 0, 'no <b> element inside the heading');
    assert.equal(await page.locator('main i').count(), 0, 'no <i> element from the purpose');
    assert.ok((await page.title()).startsWith(SCHEME_NAME), `title shows the name: ${await page.title()}`);
    assert.ok((await page.locator('main').textContent()).includes(PURPOSE), 'purpose shown as text');
    const html = await page.content();
    assert.ok(html.includes('&lt;b&gt;bold&lt;/b&gt;'), 'the name is HTML-escaped in the source');
    await visit(page, 'scheme-show');

    await page.getByRole('link', { name: 'Start a cycle' }).click();
    await page.waitForURL(/\/schemes\/\d+\/cycles\/new$/);
    assert.ok((await page.locator('main').textContent()).includes(SCHEME_NAME));
    await visit(page, 'cycle-new');

    await page.getByLabel('Academic year').fill('2031/32');
    await page.getByLabel('Hours each pair aims to meet').fill('9');
    await Promise.all([
      page.waitForURL(/\/cycles\/\d+$/),
      page.getByRole('button', { name: 'Start cycle' }).click(),
    ]);
    assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), '2031/32 cycle');
    const current = page.locator('ol.states li[aria-current="step"]');
    assert.equal((await current.textContent()).trim(), 'draft');
    assert.ok((await page.locator('main').textContent()).includes('Hours each pair aims to meet: 9.'));
    await visit(page, 'cycle-draft');

    // Each step is asked for on a page that says what it will do, then taken by its button.
    const step = async (name, shot) => {
      await Promise.all([
        page.waitForURL(/\/cycles\/\d+\/advance\?to=/),
        page.getByRole('button', { name }).click(),
      ]);
      assert.ok((await page.locator('main').textContent()).includes('This cannot be undone'));
      await visit(page, shot);
      await Promise.all([
        page.waitForURL(/\/cycles\/\d+$/),
        page.getByRole('button', { name }).click(),
      ]);
    };
    await step('Open the call', 'cycle-open-call');
    assert.equal((await current.textContent()).trim(), 'recruiting');
    await visit(page, 'cycle-recruiting');
    await step('Close the call and start matching', 'cycle-close-call');
    await page.getByRole('button', { name: 'Start the meetings' }).waitFor();
    assert.equal((await current.textContent()).trim(), 'matching');

    const rows = page.getByRole('table', { name: /Every change of state/ }).locator('tbody tr');
    const texts = (await rows.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    const moved = texts.find((t) => t.includes('recruiting → matching'));
    assert.ok(moved, `a history row shows recruiting → matching; rows: ${JSON.stringify(texts)}`);
    const coordinatorName = (await page.locator('.who span').textContent()).replace(/^Signed in as\s*/, '').trim();
    assert.ok(moved.includes(coordinatorName), `the history row names ${coordinatorName}: ${moved}`);
    await visit(page, 'cycle-matching');

    // The meeting plan: a stray line is refused with its line number, then a shorter plan saved.
    const cycleUrl = page.url();
    await page.getByRole('link', { name: 'Edit the meeting plan, expectations and hours target' }).click();
    await page.waitForURL(/\/cycles\/\d+\/plan$/);
    await visit(page, 'plan');
    await page.getByLabel('Sessions').fill('## Belonging\n- What does belonging mean to you?\nA stray line\n');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Save the plan' }).click()]);
    assert.match(await page.title(), /^Error: /);
    assert.match(await page.locator('.error-summary').textContent(), /Line 3: start the line with/);
    await visit(page, 'plan-error');
    await page.getByLabel('Sessions').fill('## Belonging\n- What does belonging mean to you?\n## Reflecting\n- What has each of you learned?\n');
    await Promise.all([page.waitForURL(cycleUrl), page.getByRole('button', { name: 'Save the plan' }).click()]);
    const plan = await page.locator('main').textContent();
    assert.match(plan, /Meeting plan saved/);
    assert.match(plan, /What has each of you learned\?/);

    // The scheme page lists the cycle in its new state.
    await page.goto(schemeUrl);
    const cells = await page.getByRole('row', { name: /2031\/32/ }).getByRole('cell').allTextContents();
    assert.deepEqual(cells.map((c) => c.trim()), ['2031/32', 'matching', '9']);
    await visit(page, 'scheme-with-cycle');
  } finally {
    await page.close();
  }
});
