// A cycle's survey statements (issue 11): the demo coordinator finds the current cycle's
// statements fixed (its first wave has opened) with the reason said; in the Law pilot's cycle,
// which has no wave yet, they add a statement (a bad code is refused next to its field, with
// what was typed kept), reword one and retire one. Every page is checked with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, signIn, visitor, COORDINATOR } from '../lib/harness.js';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

async function statementsOf(page, scheme) {
  await page.goto(`${env.baseUrl}/schemes`);
  await page.getByRole('link', { name: scheme }).first().click();
  await page.getByRole('link', { name: /2026\/27/ }).first().click();
  await page.getByRole('link', { name: /Survey statements/ }).click();
  await page.waitForURL(/\/cycles\/\d+\/instrument$/);
}

test('a coordinator changes a cycle\'s statements only before its first wave opens', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const visit = visitor('instrument');
  try {
    await signIn(page, env.baseUrl, COORDINATOR);

    await statementsOf(page, 'Reverse Mentoring at Northmoor');
    const main = page.locator('main');
    assert.match(await main.textContent(), /These statements are fixed\./);
    assert.match(await main.textContent(), /version 2/);
    assert.equal(await page.getByRole('button', { name: /Reword/ }).count(), 0);
    await visit(page, 'fixed');

    await statementsOf(page, /Law School Reverse Mentoring Pilot/);
    await visit(page, 'open');
    await page.getByLabel('Student mentors').check();
    await page.getByLabel('The aim it evidences').selectOption({ label: 'Belonging (student mentors)' });
    await page.getByLabel('The statement, as respondents will read it').fill('Leaders listen when I speak.');
    await page.getByLabel('Code', { exact: true }).fill('Heard By Leaders');
    await page.getByRole('button', { name: 'Add the statement' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    assert.ok((await page.title()).startsWith('Error:'), await page.title());
    assert.equal(await page.getByLabel('The statement, as respondents will read it').inputValue(), 'Leaders listen when I speak.');
    await visit(page, 'add-error');
    await page.getByLabel('Code', { exact: true }).fill('heard_by_leaders');
    await page.getByRole('button', { name: 'Add the statement' }).click();
    await page.waitForURL(/\/instrument$/);
    assert.match(await main.textContent(), /The statement is added/);
    assert.match(await main.textContent(), /Leaders listen when I speak\./);
    await visit(page, 'added');

    await page.getByLabel('New words for statement valued').fill('The university values me.');
    await page.getByRole('button', { name: 'Reword statement valued' }).click();
    await page.waitForURL(/\/instrument$/);
    assert.match(await main.textContent(), /The university values me\./);
    await page.getByRole('button', { name: 'Retire statement visibility' }).click();
    await page.waitForURL(/\/instrument$/);
    assert.match(await main.textContent(), /Retired: no longer asked/);
    await visit(page, 'retired');
  } finally {
    await context.close();
  }
});
