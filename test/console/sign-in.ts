import type { Page } from 'playwright-core';

const WAIT = { timeout: 45_000 };

/**
 * Opens `url` in the console (a deep link asks for a token first, then opens where it pointed)
 * and signs in with `token` pasted into the form, as a person would.
 */
export async function signInAt(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('viewer').waitFor(WAIT);
}
