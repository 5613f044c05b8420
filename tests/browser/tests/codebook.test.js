// The demo coordinator edits the scheme's codebook (renames one code, merges another into a
// third), then compares the two coders of the closed 2025/26 cycle at both levels and reads
// the code frequencies and one code's excerpts. Every page visited is screenshotted and
// checked with axe-core, at 1280 and at 390 CSS pixels wide. The pages carry no script (the
// content security policy forbids it), so every step is plain links and forms.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, signIn, visitor, COORDINATOR } from '../lib/harness.js';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

test('coordinator renames and merges codes, then reads agreement and frequencies', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const visit = visitor('codebook');
  try {
    await signIn(page, env.baseUrl, COORDINATOR);
    await page.goto(`${env.baseUrl}/schemes`);
    await page.getByRole('link', { name: 'Reverse Mentoring at Northmoor' }).first().click();
    await page.getByRole('link', { name: 'Codebook for the reflective chats' }).click();
    await page.waitForURL(/\/schemes\/\d+\/codebook$/);
    const codebookUrl = page.url();
    await visit(page, 'codebook');

    // Rename: the code keeps its excerpts.
    await page.getByRole('link', { name: 'Time and scheduling', exact: true }).click();
    await visit(page, 'code');
    await page.getByLabel('Name', { exact: true }).fill('Finding time');
    await Promise.all([
      page.waitForURL(codebookUrl),
      page.getByRole('button', { name: 'Save the code' }).click(),
    ]);
    await page.getByText('Code “Finding time” saved; its excerpts keep it.').waitFor();
    await page.getByRole('link', { name: 'Finding time', exact: true }).waitFor();
    await visit(page, 'renamed');

    // A mistake is shown beside its field, with a summary that links to it.
    await page.getByRole('link', { name: 'Finding time', exact: true }).click();
    await page.getByLabel('Colour', { exact: true }).fill('teal');
    await page.getByRole('button', { name: 'Save the code' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    assert.match(await page.locator('#colour-error').textContent(), /#rrggbb/);
    await visit(page, 'colour-error');

    // Merge "Followed up" into "Being listened to".
    await page.goto(codebookUrl);
    await page.getByRole('link', { name: 'Followed up', exact: true }).click();
    await page.getByLabel('Merge into').selectOption({ label: 'Feeling valued › Being listened to' });
    await Promise.all([
      page.waitForURL(codebookUrl),
      page.getByRole('button', { name: /^Merge “Followed up” into/ }).click(),
    ]);
    await page.getByText(/“Followed up” merged into “Being listened to”: \d+ excerpt\(s\) recoded, none lost\./).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Followed up', exact: true }).count(), 0);
    await visit(page, 'merged');

    // Agreement between the two coders of last year's cycle, at segment then character level.
    await page.locator('li', { hasText: '2025/26' }).getByRole('link', { name: 'agreement between coders' }).click();
    await page.waitForURL(/\/cycles\/\d+\/agreement$/);
    await page.getByText('Counted at the segment level').waitFor();
    const rows = page.getByRole('table', { name: /Agreement per code/ }).locator('tbody tr');
    assert.ok(await rows.count() >= 5, 'several codes compared');
    await visit(page, 'agreement-segment');
    await page.getByLabel('Unit of agreement').selectOption('character');
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.getByText('Counted at the character level').waitFor();
    await visit(page, 'agreement-character');

    // Code frequencies per aim and role, then one code's excerpts.
    await page.getByRole('link', { name: 'Code frequencies' }).first().click();
    await page.waitForURL(/\/cycles\/\d+\/codes$/);
    await page.getByRole('heading', { name: /Belonging/ }).first().waitFor();
    await visit(page, 'frequencies');
    await page.getByRole('link', { name: 'Belonging › Isolation' }).click();
    await page.waitForURL(/\/cycles\/\d+\/codes\/\d+$/);
    assert.ok(await page.locator('ol.excerpts li').count() > 0);
    await visit(page, 'excerpts');
  } finally {
    await context.close();
  }
});

test('the codebook, agreement and frequencies pages pass axe at 390px', async () => {
  const context = await env.browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const visit = visitor('codebook-390');
  try {
    await signIn(page, env.baseUrl, COORDINATOR);
    await page.goto(`${env.baseUrl}/schemes`);
    await page.getByRole('link', { name: 'Reverse Mentoring at Northmoor' }).first().click();
    await page.getByRole('link', { name: 'Codebook for the reflective chats' }).click();
    await page.waitForURL(/\/schemes\/\d+\/codebook$/);
    await visit(page, 'codebook');
    await page.getByRole('link', { name: 'Trust', exact: true }).click();
    await visit(page, 'code');
    await page.goBack();
    await page.locator('li', { hasText: '2025/26' }).getByRole('link', { name: 'agreement between coders' }).click();
    await page.getByText('Counted at the segment level').waitFor();
    await visit(page, 'agreement');
    await page.getByRole('link', { name: 'Code frequencies' }).first().click();
    await page.waitForURL(/\/cycles\/\d+\/codes$/);
    await visit(page, 'frequencies');
  } finally {
    await context.close();
  }
});
