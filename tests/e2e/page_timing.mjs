// Opens the page on a channel and reports how long each API call behind it took, from the
// browser's own resource timing, beside a baseline in the same page: /health, which touches
// nothing. Usage: node page_timing.mjs <base-url> <channel-id> <interval>
// Called by bench/bench_page.py, which prints the table.
import { openChromium } from "./chromium.mjs";

const [base, channelId, interval] = process.argv.slice(2);
const { page, close } = await openChromium();
const seen = {};
try {
  page.setDefaultTimeout(120000);
  const started = Date.now();
  await page.goto(`${base}/?channel=${encodeURIComponent(channelId)}&interval=${interval}`);
  await page.waitForSelector("body[data-ready=true]");
  seen.pageReadyMs = Date.now() - started;
  seen.calls = await page.evaluate(() => performance.getEntriesByType("resource")
    .filter((e) => new URL(e.name).pathname.startsWith("/v1.0/"))
    .filter((e) => !new URL(e.name).pathname.endsWith("/live"))
    .map((e) => ({ path: new URL(e.name).pathname, ms: e.responseEnd - e.startTime })));
  seen.healthMs = await page.evaluate(async () => {
    const times = [];
    for (let n = 0; n < 7; n++) {
      const t0 = performance.now();
      await (await fetch(`/health?n=${n}`)).text();
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[3];
  });
} finally {
  await close();
}
console.log(JSON.stringify(seen));
