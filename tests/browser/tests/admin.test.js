// The demo administrator visits people, a person, the organisation and the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, signIn, visitor, ADMIN } from '../lib/harness.js';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

test('admin visits people, a person page, organisation and audit log', async () => {
  const page = await env.browser.newPage();
  const visit = visitor('admin');
  try {
    await signIn(page, env.baseUrl, ADMIN);
    await visit(page, 'home');
    await page.getByRole('link', { name: 'People and roles' }).first().click();
    await page.waitForURL('**/admin/people');
    assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), 'People and roles');
    const people = page.locator('main table a[href^="/admin/people/"]');
    assert.ok((await people.count()) >= 3, 'the demo organisation has several people');
    await visit(page, 'people');

    const first = (await people.first().textContent()).trim();
    await people.first().click();
    await page.waitForURL(/\/admin\/people\/\d+$/);
    assert.ok((await page.locator('main').textContent()).includes(first), `the person page names ${first}`);
    await visit(page, 'person');

    await page.goto(`${env.baseUrl}/admin/organisation`);
    assert.ok(await page.getByRole('heading', { name: 'Self-identification labels' }).isVisible());
    assert.ok(await page.getByRole('heading', { name: 'Faculties and Schools' }).isVisible());
    await visit(page, 'organisation');

    // Population figures: an impossible figure is refused next to its field, then corrected.
    await page.getByRole('link', { name: 'Population figures for each label' }).click();
    await page.waitForURL('**/admin/organisation/population');
    assert.equal(await page.getByLabel('Everyone in the population').inputValue(), '24300');
    await page.getByLabel('International').fill('99999');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Save population figures' }).click()]);
    assert.match(await page.title(), /^Error: /);
    assert.match(await page.locator('.error-summary').textContent(), /no larger than the total \(24300\)/);
    await visit(page, 'population-error');
    await page.getByLabel('International').fill('4610');
    await Promise.all([page.waitForURL('**/admin/organisation/population'), page.getByRole('button', { name: 'Save population figures' }).click()]);
    assert.match(await page.locator('main').textContent(), /Population figures saved/);
    await visit(page, 'population');

    await page.goto(`${env.baseUrl}/admin/audit`);
    assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), 'Audit log');
    const rows = await page.locator('main table tbody tr').count();
    assert.ok(rows >= 1, 'the admin sign-in is in the audit log');
    await visit(page, 'audit');

    await page.getByRole('link', { name: 'the email delivery page' }).click();
    await page.waitForURL('**/admin/emails');
    assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), 'Email delivery');
    await visit(page, 'emails');

    await page.goto(`${env.baseUrl}/admin/import`);
    assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), 'Import an institution');
    await visit(page, 'import');
    // A students file naming an unknown School is refused with its line and column.
    await page.locator('#students').setInputFiles({
      name: 'students.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('student_id,name,email,school_code,programme,year_of_study\nS1,Ada Obi,ada@example.ac.uk,NOPE,BSc History,1\n'),
    });
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Import' }).click()]);
    const report = await page.locator('main').textContent();
    assert.match(report, /line 2, column school_code/i, `the error names the line: ${report}`);
    assert.match(report, /NOPE/);
    await visit(page, 'import-error');

    await page.goto(`${env.baseUrl}/account`);
    await visit(page, 'account');

    // The error page is part of the app too.
    const missing = await page.goto(`${env.baseUrl}/schemes/987654321`);
    assert.equal(missing.status(), 404);
    await visit(page, 'not-found');
  } finally {
    await page.close();
  }
});
