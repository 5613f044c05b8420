// The demo coordinator goes from a coded passage to a triangulated finding: in the closed
// 2025/26 cycle's quote bank they promote a passage, trim it with an ellipsis (a reworded
// trim is refused where it was typed), then write the finding on an aim's page, which shows
// the survey change beside the chats. Once with JavaScript at 1280 px, once in a browser
// context without JavaScript at 390 px; every page is checked with axe-core at both widths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, signIn, visitor, checkA11y, COORDINATOR } from '../lib/harness.js';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

/**
 * Checks the page with axe at 1280 and at 390 px wide. axe needs a page that runs scripts, so
 * for a page without JavaScript its HTML is checked in `axePage` (same origin, so the same
 * stylesheet applies).
 */
async function bothWidths(page, visit, name, axePage) {
  let checked = page;
  if (axePage) {
    await axePage.setContent(await page.content());
    checked = axePage;
  }
  for (const p of new Set([page, checked])) await p.setViewportSize({ width: 1280, height: 900 });
  await visit(checked, `${name}-1280`);
  for (const p of new Set([page, checked])) await p.setViewportSize({ width: 390, height: 844 });
  await checkA11y(checked, `${name} at 390 px`);
}

async function promoteTrimAndFind(page, visitPage, finding, axePage) {
  const visit = visitPage;
  const bothWidthsHere = (p, v, name) => bothWidths(p, v, name, axePage);
  await signIn(page, env.baseUrl, COORDINATOR);
  await page.goto(`${env.baseUrl}/schemes`);
  await page.getByRole('link', { name: 'Reverse Mentoring at Northmoor' }).first().click();
  await page.getByRole('link', { name: /2025\/26/ }).first().click();
  await page.getByRole('link', { name: 'Quote bank' }).click();
  await page.waitForURL(/\/cycles\/\d+\/quotes$/);
  const bankUrl = page.url();
  const cycleUrl = bankUrl.replace(/\/quotes$/, '');
  await bothWidthsHere(page, visit, 'bank');

  // Promote the first passage offered, words as coded.
  const candidate = page.locator('article.excerpt').first();
  const who = (await candidate.getByRole('heading').textContent()).trim();
  assert.match(who, /^(Mentor|Senior leader) \d+$/, 'a pseudonym, never a name');
  const original = (await candidate.locator('blockquote').textContent()).trim();
  await Promise.all([
    page.waitForURL(bankUrl),
    candidate.getByRole('button', { name: /Promote to a quote/ }).click(),
  ]);
  await page.getByText('The quote is in the bank.').waitFor();
  const quote = page.locator('article.quote', { hasText: original }).first();
  await quote.waitFor();

  // A reworded trim is refused, saying where; a trim marked with an ellipsis is saved.
  const words = original.split(' ');
  const trimmed = `${words.slice(0, 6).join(' ')} …`;
  const box = quote.getByRole('textbox');
  await box.fill(`${words.slice(0, 6).join(' ')} indeed …`);
  await quote.getByRole('button', { name: /Save the words/ }).click();
  await page.getByRole('alert').getByText(/can only be shortened/).waitFor();
  await bothWidthsHere(page, visit, 'trim-refused');
  const refused = page.locator('article.quote', { hasText: original }).first();
  assert.equal(await refused.getByRole('textbox').getAttribute('aria-invalid'), 'true');
  await refused.getByRole('textbox').fill(trimmed);
  await Promise.all([
    page.waitForURL((u) => u.pathname.endsWith('/quotes')),
    refused.getByRole('button', { name: /Save the words/ }).click(),
  ]);
  await page.getByText(/The quote's words are saved/).waitFor();
  const saved = page.locator('article.quote', { hasText: trimmed }).first();
  assert.match(await saved.textContent(), /Original words/);
  await bothWidthsHere(page, visit, 'trimmed');

  // The aims: the survey change beside the chats, and the finding.
  await page.goto(`${cycleUrl}/aims`);
  await bothWidthsHere(page, visit, 'aims');
  await page.getByRole('link', { name: 'Belonging', exact: true }).click();
  await page.waitForURL(/\/aims\/belonging$/);
  await page.getByRole('table', { name: /Belonging: Before → After/i }).waitFor();
  assert.ok((await page.locator('figure.quote').count()) > 0, 'quotes of the aim');
  await page.getByLabel('Your finding for Belonging').fill(finding);
  await Promise.all([
    page.waitForURL(/\/aims\/belonging$/),
    page.getByRole('button', { name: 'Save the finding' }).click(),
  ]);
  await page.getByText(/The finding is saved/).waitFor();
  assert.equal(await page.getByLabel('Your finding for Belonging').inputValue(), finding);
  await bothWidthsHere(page, visit, 'finding');

  // The report's preview prints it.
  await page.goto(`${cycleUrl}/report/preview`);
  await page.getByText(finding).first().waitFor();
}

test('with JavaScript: promote, trim, and write the finding', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  try {
    await promoteTrimAndFind(page, visitor('triangulation-js'), 'With JavaScript: the survey and the chats agree about belonging.');
  } finally {
    await context.close();
  }
});

test('without JavaScript: the same, in forms alone', async () => {
  const context = await env.browser.newContext({
    javaScriptEnabled: false,
    viewport: { width: 390, height: 844 },
  });
  const page = await context.newPage();
  const scripted = await env.browser.newContext();
  const axePage = await scripted.newPage();
  try {
    await axePage.goto(`${env.baseUrl}/sign-in`);
    await promoteTrimAndFind(page, visitor('triangulation-nojs'), 'Without JavaScript: the chats say more than the survey about belonging.', axePage);
  } finally {
    await scripted.close();
    await context.close();
  }
});
