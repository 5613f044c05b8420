// Forms submitted with errors re-render with an error summary whose links lead
// to the fields, messages next to the fields, and the person's input kept.
// The error pages pass axe too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, signIn, visitor, COORDINATOR } from '../lib/harness.js';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

/** Asserts the error summary is shown, each link points at an existing field, and returns its link texts. */
async function errorSummary(page) {
  const summary = page.locator('.error-summary');
  await summary.waitFor();
  assert.equal((await summary.getByRole('heading').textContent()).trim(), 'There is a problem');
  const links = summary.getByRole('link');
  const count = await links.count();
  assert.ok(count > 0, 'the summary lists at least one error');
  for (let i = 0; i < count; i++) {
    const href = await links.nth(i).getAttribute('href');
    assert.match(href, /^#/);
    assert.equal(await page.locator(href).count(), 1, `the summary link ${href} points at a field`);
  }
  return links.allTextContents();
}

test('sign-in with a wrong password shows the error summary and keeps the email', async () => {
  const page = await env.browser.newPage();
  const visit = visitor('errors-sign-in');
  try {
    await page.goto(`${env.baseUrl}/sign-in`);
    await page.getByLabel('Email address').fill(COORDINATOR);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/sign-in');
    await errorSummary(page);
    assert.equal(await page.getByLabel('Email address').inputValue(), COORDINATOR);
    assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'the password is not echoed back');
    await visit(page, 'wrong-password');
  } finally {
    await page.close();
  }
});

test('creating a scheme without a name shows errors, keeps input and links to the field', async () => {
  const page = await env.browser.newPage();
  const visit = visitor('errors-scheme');
  try {
    await signIn(page, env.baseUrl, COORDINATOR);
    await page.goto(`${env.baseUrl}/schemes/new`);
    const purpose = 'A purpose with <em>markup</em> & "quotes" that must survive a failed submission.';
    await page.getByLabel('Purpose').fill(purpose);
    await page.getByLabel('Name').fill('   ');
    await page.getByRole('button', { name: 'Create scheme' }).click();
    await page.waitForLoadState('load');

    const messages = await errorSummary(page);
    assert.ok(messages.length >= 1);
    // The field has its own message, programmatically tied to it.
    const name = page.getByLabel('Name');
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    const describedBy = await name.getAttribute('aria-describedby');
    assert.ok(describedBy, 'the name field is described by its error');
    const fieldMessage = (await page.locator(`#${describedBy.split(' ').pop()}`).textContent()).trim();
    assert.ok(messages.map((m) => m.trim()).includes(fieldMessage), `summary repeats the field message "${fieldMessage}"`);
    assert.equal(await page.getByLabel('Purpose').inputValue(), purpose, 'the purpose is kept');
    await visit(page, 'missing-name');

    // Following the summary link moves focus to the field.
    await page.locator('.error-summary a[href="#name"]').click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'name');
  } finally {
    await page.close();
  }
});

test('starting a cycle with a malformed year shows errors and keeps the hours', async () => {
  const page = await env.browser.newPage();
  const visit = visitor('errors-cycle');
  try {
    await signIn(page, env.baseUrl, COORDINATOR);
    await page.goto(`${env.baseUrl}/schemes`);
    await page.locator('main table a[href^="/schemes/"]').first().click();
    await page.waitForURL(/\/schemes\/\d+$/);
    await page.getByRole('link', { name: 'Start a cycle' }).click();
    await page.waitForURL(/\/cycles\/new$/);
    await page.getByLabel('Academic year').fill('next year');
    await page.getByLabel('Hours each pair aims to meet').fill('14');
    await page.getByRole('button', { name: 'Start cycle' }).click();
    await page.waitForLoadState('load');

    await errorSummary(page);
    assert.equal(await page.getByLabel('Academic year').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Academic year').inputValue(), 'next year');
    assert.equal(await page.getByLabel('Hours each pair aims to meet').inputValue(), '14');
    await visit(page, 'bad-year');
  } finally {
    await page.close();
  }
});
