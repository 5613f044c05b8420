// The demo coordinator opens the closed 2025/26 cycle's annual report, writes the
// recommendations (with markup-like text, shown as typed), previews the report, publishes
// version 1 and downloads it as a PDF. Every page visited is screenshotted and checked with
// axe-core, the report's own preview included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setUp, signIn, visitor, COORDINATOR } from '../lib/harness.js';

const RECOMMENDATIONS = [
  '## What we will do next',
  '',
  '- Recruit mentors **earlier**, in the spring term',
  '- Keep the monthly check-ins <script>alert(1)</script>',
].join('\n');

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

test('coordinator writes the recommendations, previews, publishes and downloads the PDF', async () => {
  const page = await env.browser.newPage();
  const visit = visitor('report');
  try {
    await signIn(page, env.baseUrl, COORDINATOR);
    await page.goto(`${env.baseUrl}/schemes`);
    await page.getByRole('link', { name: 'Reverse Mentoring at Northmoor' }).first().click();
    await page.getByRole('link', { name: /2025\/26/ }).first().click();
    await page.getByRole('link', { name: /The annual report/ }).click();
    await page.waitForURL(/\/cycles\/\d+\/report$/);
    const reportUrl = page.url();
    await visit(page, 'page');

    await page.getByLabel('Recommendations', { exact: true }).fill(RECOMMENDATIONS);
    await Promise.all([
      page.waitForURL(reportUrl),
      page.getByRole('button', { name: 'Save the text' }).click(),
    ]);
    await page.getByText('The introduction and recommendations are saved.').waitFor();
    assert.equal(await page.getByLabel('Recommendations', { exact: true }).inputValue(), RECOMMENDATIONS);
    await visit(page, 'saved');

    // The preview: the report itself, with the text formatted and the script shown as text.
    await page.getByRole('link', { name: 'Preview the report as a web page' }).click();
    await page.waitForURL(/\/report\/preview$/);
    const recs = page.locator('#recommendations');
    await recs.getByRole('heading', { name: 'What we will do next' }).waitFor();
    assert.equal(await recs.locator('strong', { hasText: 'earlier' }).count(), 1);
    assert.equal(await page.locator('script').count(), 0, 'no script element from the text');
    assert.match(await recs.textContent(), /<script>alert\(1\)<\/script>/);
    assert.match(await page.locator('body').textContent(), /publication rule/i);
    await visit(page, 'preview');
    await page.goBack();

    await Promise.all([
      page.waitForURL(reportUrl),
      page.getByRole('button', { name: 'Publish version 1' }).click(),
    ]);
    await page.getByText('Version 1 is published.').waitFor();
    const versions = page.getByRole('table', { name: /Every published version/ });
    assert.equal(await versions.locator('tbody tr').count(), 1);
    await visit(page, 'published');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'PDF of version 1' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^annual-report-cycle-\d+-v1\.pdf$/);
    const pdf = await readFile(await download.path());
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.ok(pdf.length > 20_000, `a real document: ${pdf.length} bytes`);
  } finally {
    await page.close();
  }
});
