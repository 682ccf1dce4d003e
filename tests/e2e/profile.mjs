// Opens a shared channel view (?channel=&interval=) and reports the channel profile it shows:
// the heatmap's cells, the streams table, and what each download link returns.
// Usage: node profile.mjs <base-url> <artifacts-dir> <channel-id> <interval>
// Called by tests/e2e/test_channel_profile.py, which makes the assertions.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { cspViolations, watchCsp } from "./chromium.mjs";

const [base, artifacts, channelId, interval] = process.argv.slice(2);
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];
const profile = mkdtempSync(join(tmpdir(), "chatlake-chromium-"));
const seen = { pageErrors: [], consoleErrors: [], downloads: [] };
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: ARGS,
  viewport: { width: 1280, height: 900 }, colorScheme: "dark",
});
try {
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(30000);
  page.on("console", (m) => {
    if (m.type() === "error") seen.consoleErrors.push(`${m.text()} ${m.location().url}`);
  });
  page.on("pageerror", (e) => seen.pageErrors.push(String(e)));
  await watchCsp(page);
  const started = Date.now();
  await page.goto(`${base}/?channel=${encodeURIComponent(channelId)}&interval=${interval}`);
  await page.waitForSelector("#heatmap[data-state=drawn]");
  await page.waitForSelector("#streams[data-rows]");
  await page.waitForSelector("#sentiment-chart[data-state=drawn]");
  seen.profileMs = Date.now() - started;
  seen.sentiment = await page.$eval("#sentiment-chart", (b) => ({ ...b.dataset }));
  seen.sentimentSplit = await page.$$eval("#sentiment-split span", (parts) =>
    parts.map((p) => [p.className, Number(p.dataset.messages)]));
  seen.checkedInterval = await page.$eval("input[name=interval]:checked", (i) => i.value);
  seen.selectedChannel = await page.$eval("#channel", (s) => s.value);
  seen.url = page.url();
  seen.heatmapTotal = await page.$eval("#heatmap", (b) => Number(b.dataset.total));
  seen.cells = await page.$$eval("#heatmap td", (cells) => cells.map((c) => [
    Number(c.dataset.weekday), Number(c.dataset.hour), Number(c.dataset.messages)]));
  seen.streamRows = await page.$$eval("#streams tbody tr", (rows) => rows.map((r) => ({
    id: r.dataset.streamId, cells: [...r.querySelectorAll("td")].map((td) => td.textContent) })));
  // The clip filters: each change reloads the grid from the API.
  const clipIds = () => page.$$eval(".clip", (cards) => cards.map((c) => c.dataset.clipId));
  const reload = async (select, value) => {
    const run = await page.$eval("#clips", (g) => Number(g.dataset.run || 0));
    await page.selectOption(select, value);
    await page.waitForFunction((r) => {
      const g = document.getElementById("clips");
      return Number(g.dataset.run) > r && g.dataset.state === "loaded";
    }, run);
    // A reload empties the grid first: wait for the page the API answered.
    await page.waitForFunction(() => document.getElementById("clip-count").textContent !== "");
    return clipIds();
  };
  seen.clipsWeek = await clipIds();
  seen.clipsDay = await reload("#clip-since", "1");
  seen.clipsEver = await reload("#clip-since", "");
  seen.clipsStrongest = await reload("#clip-sort", "strength");
  seen.clipsLirik = await reload("#clip-channel", channelId);
  const first = seen.clipsLirik[0];
  await page.click(`.clip[data-clip-id="${first}"] .thumb`);
  await page.waitForSelector(`.clip[data-clip-id="${first}"] .clip-chat[data-messages]`);
  seen.chatClip = first;
  seen.chatLines = await page.$eval(`.clip[data-clip-id="${first}"] .clip-chat`,
    (list) => Number(list.dataset.messages));
  const profileBox = await page.$(".profile");
  await profileBox.scrollIntoViewIfNeeded();
  await profileBox.screenshot({ path: join(artifacts, "06-channel-profile-dark.png") });
  const links = await page.$$eval("#downloads a", (as) => as.map((a) => a.href));
  for (const href of links.slice(0, 3)) {
    const response = await page.request.get(href);
    seen.downloads.push({ href, status: response.status(),
      disposition: response.headers()["content-disposition"] || "",
      head: (await response.text()).split("\n")[0] });
  }
  seen.cspViolations = await cspViolations(page);
  await page.setViewportSize({ width: 420, height: 900 });
  await page.waitForTimeout(300);
  seen.narrowOverflow = await page.evaluate(() =>
    document.documentElement.scrollWidth > document.documentElement.clientWidth);
  await (await page.$(".profile")).screenshot({ path: join(artifacts, "07-channel-profile-narrow.png") });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(seen) + "\n");
