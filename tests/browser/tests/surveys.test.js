// A demo mentor saves a survey as a draft, returns to it and submits it; the coordinator sees
// the response rates, sets wave dates, and sees last year's results chart. Every page visited
// is screenshotted and checked with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, signIn, visitor, COORDINATOR, MENTOR } from '../lib/harness.js';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

test('a mentor saves and submits a survey; the coordinator sees rates and the chart', async () => {
  const mentor = await env.browser.newContext();
  const coordinator = await env.browser.newContext();
  const m = await mentor.newPage();
  const c = await coordinator.newPage();
  const visit = visitor('surveys');
  try {
    await signIn(m, env.baseUrl, MENTOR);
    await m.getByRole('link', { name: 'Answer your surveys' }).click();
    await m.waitForURL('**/surveys');
    await visit(m, 'list');
    await m.getByRole('link', { name: /2026\/27: survey before/ }).click();
    await m.waitForURL(/\/surveys\/\d+\/pre$/);
    const surveyUrl = m.url();
    await visit(m, 'form');

    // One answer, saved for later.
    const first = m.getByRole('group', { name: /I feel I belong/ });
    await first.getByLabel('4 – Agree').check();
    await m.getByRole('button', { name: 'Save and return later' }).click();
    await m.waitForURL('**/surveys');
    assert.match(await m.locator('main').textContent(), /draft saved/);

    // Back to it: the answer is kept; submitting with gaps names each missing statement.
    await m.goto(surveyUrl);
    assert.ok(await m.getByRole('group', { name: /I feel I belong/ }).getByLabel('4 – Agree').isChecked());
    await m.getByRole('button', { name: 'Submit answers' }).click();
    await m.getByRole('heading', { name: 'There is a problem' }).waitFor();
    assert.ok((await m.title()).startsWith('Error:'), await m.title());
    assert.match(await m.locator('main').textContent(), /Choose an answer to statement 2 before submitting/);
    await visit(m, 'form-error');

    for (const group of await m.locator('main fieldset').all()) {
      await group.getByLabel(/^3 – /).check();
    }
    await m.getByRole('button', { name: 'Submit answers' }).click();
    await m.waitForURL('**/surveys');
    assert.match(await m.locator('main').textContent(), /answers are submitted/);
    await visit(m, 'submitted');

    // The coordinator sees the response: 1 of 2 mentors before.
    await signIn(c, env.baseUrl, COORDINATOR);
    await c.goto(`${env.baseUrl}/schemes`);
    await c.getByRole('link', { name: 'Reverse Mentoring at Northmoor' }).first().click();
    await c.getByRole('link', { name: /2026\/27/ }).first().click();
    await c.getByRole('link', { name: /Surveys: dates, response rates/ }).click();
    await c.waitForURL(/\/cycles\/\d+\/surveys$/);
    assert.match(await c.locator('main').textContent(), /Student mentors: 1 of 2/);
    await visit(c, 'waves');
    // A post wave that closes before it opens is refused next to the field.
    await c.getByLabel('Opens on').nth(1).fill('2027-05-20');
    await c.getByLabel('Closes on').nth(1).fill('2027-05-01');
    await c.getByRole('button', { name: 'Save dates' }).click();
    await c.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await visit(c, 'waves-error');

    // Last year's results: the chart with its text alternative, and the rates.
    await c.goto(`${env.baseUrl}/schemes`);
    await c.getByRole('link', { name: 'Reverse Mentoring at Northmoor' }).first().click();
    await c.getByRole('link', { name: /2025\/26/ }).first().click();
    await c.getByRole('link', { name: /Evaluation results/ }).click();
    await c.waitForURL(/\/results$/);
    const chart = c.getByRole('img', { name: /Student mentors: mean answer before → after/ });
    assert.ok(await chart.isVisible());
    assert.match(await c.locator('main').textContent(), /25 of 26 before; 20 of 26 after/);
    await visit(c, 'results');
  } finally {
    await mentor.close();
    await coordinator.close();
  }
});
