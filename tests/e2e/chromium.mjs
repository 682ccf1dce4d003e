// What every browser script here shares: Debian's Chromium, headless, in a throwaway profile,
// and a record of what the page's Content-Security-Policy blocked.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];

// { context, page, close }; `options` go to the context (viewport, colorScheme, ...).
export async function openChromium(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), "chatlake-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: ARGS,
    ...options,
  });
  const page = context.pages()[0] || (await context.newPage());
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, close };
}

// Call before the page loads; read with `cspViolations(page)`.
export async function watchCsp(page) {
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

export function cspViolations(page) {
  return page.evaluate(() => window.cspViolations);
}
