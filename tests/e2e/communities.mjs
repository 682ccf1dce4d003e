// Opens the page, reads the community map it draws (nodes per colour, edges, legend), then
// switches to a period without a build and reports what the page says.
// Usage: node communities.mjs <base-url> <artifacts-dir> <channel-id>
// Called by tests/e2e/test_community_page.py, which makes the assertions.
import { join } from "node:path";
import { openChromium } from "./chromium.mjs";

const [base, artifacts, channelId] = process.argv.slice(2);
const seen = { pageErrors: [], dialogs: [] };
const { page, close } = await openChromium({ viewport: { width: 1280, height: 900 } });
try {
  page.setDefaultTimeout(30000);
  page.on("pageerror", (e) => seen.pageErrors.push(String(e)));
  page.on("dialog", (d) => { seen.dialogs.push(d.message()); d.dismiss(); });
  await page.goto(`${base}/?channel=${encodeURIComponent(channelId)}`);
  await page.waitForSelector("#community-map[data-state=drawn]");
  seen.map = await page.$eval("#community-map", (b) => ({ ...b.dataset }));
  seen.circles = await page.$$eval("#community-map circle", (c) => c.length);
  seen.circleColours = await page.$$eval("#community-map circle", (cs) => {
    const count = {};
    for (const c of cs) count[c.getAttribute("fill")] = (count[c.getAttribute("fill")] || 0) + 1;
    return count;
  });
  seen.colourOf = await page.$$eval("#community-map circle", (cs) =>
    Object.fromEntries(cs.map((c) => [c.dataset.channel, c.getAttribute("fill")])));
  seen.lines = await page.$$eval("#community-map line", (l) => l.length);
  seen.legend = await page.$$eval("#community-legend li", (items) => items.map((i) => i.textContent));
  const box = await page.$(".community-box");
  await box.scrollIntoViewIfNeeded();
  await box.screenshot({ path: join(artifacts, "09-communities.png") });
  await page.click("#community-filters label:has-text('all time')");
  await page.waitForSelector("#community-map[data-state=empty]");
  seen.unbuilt = await page.$eval("#community-map", (b) => b.textContent);
} finally {
  await close();
}
console.log(JSON.stringify(seen));
