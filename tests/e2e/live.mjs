// Watches a channel's live chat panel while the test produces messages to Kafka, talking with
// the test over stdin/stdout: it prints "live" once the feed is open, waits for the lines the
// test announces, pauses the list by hovering it, and ends with what it saw as one JSON line.
// Usage: node live.mjs <base-url> <artifacts-dir> <channel-id>
// Called by tests/e2e/test_live_chat.py, which makes the assertions.
import { join } from "node:path";
import { createInterface } from "node:readline";
import { openChromium } from "./chromium.mjs";

const [base, artifacts, channelId] = process.argv.slice(2);
const commands = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const next = async () => (await commands.next()).value;
const seen = { pageErrors: [] };
const { page, close } = await openChromium({ viewport: { width: 1280, height: 900 } });
try {
  page.setDefaultTimeout(30000);
  page.on("pageerror", (e) => seen.pageErrors.push(String(e)));
  await page.goto(`${base}/?channel=${encodeURIComponent(channelId)}`);
  await page.waitForFunction(() => document.getElementById("live-state").textContent === "live");
  console.log("live");
  const lines = () => page.$eval("#live-chat", (l) => Number(l.dataset.lines));
  const waitLines = (n) => page.waitForFunction(
    (want) => Number(document.getElementById("live-chat").dataset.lines) >= want, Number(n));
  await waitLines(await next());
  seen.beforePause = await page.$$eval("#live-chat li", (items) => items.map((i) => i.textContent));
  seen.injectedImages = await page.$$eval("#live-chat img", (images) => images.length);
  await page.hover("#live-chat");
  seen.pausedState = await page.$eval("#live-state", (s) => s.textContent);
  console.log("paused");
  const held = Number(await next());  // the test has sent `held` more lines and waited a moment
  await page.waitForTimeout(1500);
  seen.linesWhilePaused = await lines();
  await page.mouse.move(5, 5);
  await waitLines(seen.linesWhilePaused + held);
  seen.afterPause = await page.$$eval("#live-chat li", (items) => items.map((i) => i.textContent));
  await page.screenshot({ path: join(artifacts, "08-live-chat.png"), fullPage: false });
} finally {
  await close();
}
console.log(JSON.stringify(seen));
