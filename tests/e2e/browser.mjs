// Drives the web UI in Debian's headless chromium and prints what it saw as one JSON object.
// Usage: node browser.mjs <base-url> <artifacts-dir> <channel-id> <interval>
// Called by tests/e2e/test_web_ui.py, which makes the assertions; this script only observes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { cspViolations, watchCsp } from "./chromium.mjs";

const [base, artifacts, channelId, interval] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
];
const baseHost = new URL(base).host;
const profile = mkdtempSync(join(tmpdir(), "chatlake-chromium-"));
const seen = { external: [], consoleErrors: [], pageErrors: [] };

const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ARGS,
  viewport: { width: 1280, height: 900 },
  colorScheme: "light",
});
try {
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(20000);
  // Nothing may leave the machine: anything not served by the app is recorded and refused.
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.host === baseHost) return route.continue();
    seen.external.push(url.origin + url.pathname);
    return route.abort();
  });
  page.on("console", (m) => { if (m.type() === "error") seen.consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => seen.pageErrors.push(String(e)));
  // The API's Content-Security-Policy: any script, style, frame or image it blocks is recorded.
  await watchCsp(page);

  await page.goto(`${base}/`);
  await page.waitForSelector("body[data-ready=true]");
  seen.clipIds = await page.$$eval(".clip", (cards) => cards.map((c) => c.dataset.clipId));
  seen.gridColumns = await page.$eval("#clips", (g) =>
    getComputedStyle(g).gridTemplateColumns.split(" ").length);
  await page.screenshot({ path: join(artifacts, "01-clips-grid.png"), fullPage: false });

  // Play the third clip inline.
  const target = seen.clipIds[2];
  await page.click(`.clip[data-clip-id="${target}"] .thumb`);
  const frame = await page.waitForSelector(`.clip[data-clip-id="${target}"] iframe.player`);
  seen.clicked = target;
  seen.iframeSrc = await frame.getAttribute("src");
  seen.iframeCount = await page.$$eval("iframe", (f) => f.length);
  await page.screenshot({ path: join(artifacts, "02-clip-playing.png") });

  // Channel, a third-party emote, an interval: the emote chart must draw.
  await page.selectOption("#channel", channelId);
  await page.waitForFunction(() => {
    const options = [...document.querySelectorAll("#emote option")];
    return options.some((o) => o.textContent.includes("(7tv"));
  });
  const emote = await page.$$eval("#emote option", (options) =>
    options.find((o) => o.textContent.includes("(7tv")).value);
  await page.selectOption("#emote", emote);
  await page.click(`#interval label:has(input[value="${interval}"])`);
  await page.waitForSelector(
    `#emote-chart[data-state=drawn][data-interval="${interval}"][data-emote="${emote}"]`);
  await page.waitForSelector("#rate-chart[data-state=drawn]");
  await page.waitForSelector("#chatters-chart[data-state=drawn]");
  seen.emote = emote;
  seen.emoteChart = await page.$eval("#emote-chart", (box) => {
    const canvas = box.querySelector("canvas");
    const ctx = canvas.getContext("2d");
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
    return {
      points: Number(box.dataset.points), total: Number(box.dataset.total),
      width: canvas.width, height: canvas.height, painted,
    };
  });
  seen.rateDetections = await page.$eval("#rate-chart", (b) => Number(b.dataset.detections));
  const charts = await page.$(".charts");
  await charts.scrollIntoViewIfNeeded();
  await charts.screenshot({ path: join(artifacts, "03-charts.png") });

  await page.click("#theme-toggle");
  await page.waitForSelector("#emote-chart[data-state=drawn] canvas");
  seen.theme = await page.evaluate(() => document.documentElement.dataset.theme);
  seen.darkBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.screenshot({ path: join(artifacts, "04-dark-mode.png"), fullPage: true });

  await page.setViewportSize({ width: 420, height: 900 });
  await page.waitForTimeout(300);
  seen.narrowGridColumns = await page.$eval("#clips", (g) =>
    getComputedStyle(g).gridTemplateColumns.split(" ").length);
  await page.screenshot({ path: join(artifacts, "05-narrow.png") });
  seen.cspViolations = await cspViolations(page);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(seen) + "\n");
