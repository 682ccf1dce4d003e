// Opens a community map HTML file (file://, nothing else allowed) in Debian's headless chromium
// and prints what it saw as one JSON object: node count per colour from the DOM and from the
// renderer, legend entries, errors. tests/e2e/test_community_map.py makes the assertions.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [file, screenshot] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "chatlake-chromium-"));
const seen = { external: [], consoleErrors: [], pageErrors: [] };
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1280, height: 900 },
});
try {
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(20000);
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "file:") return route.continue();
    seen.external.push(url.href);
    return route.abort();
  });
  page.on("console", (m) => { if (m.type() === "error") seen.consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => seen.pageErrors.push(String(e)));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector("body[data-map-ready=true]");
  seen.domPerColour = await page.$$eval("circle.channel", (cs) => {
    const counts = {};
    for (const c of cs) counts[c.getAttribute("fill")] = (counts[c.getAttribute("fill")] || 0) + 1;
    return counts;
  });
  seen.communitiesPerColour = await page.$$eval("circle.channel", (cs) => {
    const sets = {};
    for (const c of cs) (sets[c.getAttribute("fill")] ||= new Set()).add(c.dataset.community);
    return Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, v.size]));
  });
  seen.renderer = await page.evaluate(() => window.communityMap);
  seen.edgeLines = await page.$$eval("g.edges line", (ls) => ls.length);
  seen.legend = await page.$$eval(".legend li", (items) => items.map((i) => i.textContent));
  seen.scriptsInjected = await page.$$eval("circle title", (ts) =>
    ts.filter((t) => t.children.length > 0).length);
  await page.mouse.move(640, 450);
  await page.mouse.wheel(0, -300);  // zoom in: the view box must change
  seen.viewBox = await page.$eval("#map svg", (s) => s.getAttribute("viewBox"));
  await page.screenshot({ path: screenshot });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(seen));
