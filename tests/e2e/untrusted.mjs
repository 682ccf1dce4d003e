// Opens a channel whose chat, user names and clip carry markup and script URLs, plays the clip
// (its chat context comes from the lake), reads the tuning table and reports what the page
// shows and whether anything ran: dialogs, page errors, policy violations, elements the markup
// would have made.
// Usage: node untrusted.mjs <base-url> <channel-id>
// Called by tests/e2e/test_untrusted_text.py, which makes the assertions.
import { cspViolations, openChromium, watchCsp } from "./chromium.mjs";

const [base, channelId] = process.argv.slice(2);
const seen = { dialogs: [], pageErrors: [] };
const { page, close } = await openChromium();
try {
  page.setDefaultTimeout(30000);
  page.on("dialog", (d) => { seen.dialogs.push(d.message()); d.dismiss(); });
  page.on("pageerror", (e) => seen.pageErrors.push(String(e)));
  await watchCsp(page);
  await page.goto(`${base}/?channel=${encodeURIComponent(channelId)}`);
  await page.waitForSelector("body[data-ready=true]");
  await page.waitForSelector(".clip");
  seen.tuningRows = await page.$$eval("#tuning tbody tr", (rows) =>
    rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)));
  seen.tuningRun = await page.$eval("#tuning-run", (s) => s.textContent);
  await page.waitForSelector("#tuning-plot[data-state=drawn]");
  seen.tuningVideos = await page.$$eval("#tuning-video option", (o) => o.map((e) => e.textContent));
  seen.tuningPlot = await page.$eval("#tuning-plot", (b) => ({ ...b.dataset }));
  seen.clipTitles = await page.$$eval(".clip .title", (t) => t.map((e) => e.textContent));
  seen.thumbnails = await page.$$eval(".clip img", (i) => i.map((e) => e.getAttribute("src")));
  await page.click(".clip .thumb");
  await page.waitForSelector(".clip-chat[data-messages]");
  seen.chatLines = await page.$$eval(".clip-chat li", (items) => items.map((i) => i.textContent));
  await page.waitForFunction(() => document.getElementById("stream-about").textContent !== "");
  seen.streamAbout = await page.$eval("#stream-about", (s) => s.textContent);
  seen.channelOptions = await page.$$eval("#channel option", (o) => o.map((e) => e.textContent));
  await page.waitForTimeout(1000);  // give an injected handler its chance to run
  seen.injected = await page.evaluate(() => ({
    images: document.querySelectorAll('img[src="x"], img[src$="/x"]').length,
    scripts: [...document.scripts].map((s) => s.getAttribute("src")),
    scriptLinks: document.querySelectorAll('a[href^="javascript:"], iframe[src^="javascript:"]').length,
  }));
  seen.cspViolations = await cspViolations(page);
} finally {
  await close();
}
console.log(JSON.stringify(seen));
