// chatlake web UI: the clips grid and three charts, from the JSON API of the same origin.
// Plain DOM and uPlot (vendored); no build step.
"use strict";

const DAY_MS = 24 * 3600 * 1000;
const CLIP_PAGE = 24;
const PLACEHOLDER = "/static/placeholder.svg";
const $ = (id) => document.getElementById(id);
const charts = {};
let clipCursor = null;
let chartRun = 0; // only the latest filter change may draw

function say(message) {
  $("status").textContent = message || "";
}

async function api(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.detail || `${response.status} ${response.statusText} for ${path}`);
  }
  return body;
}

// ---------- clips ----------

function embedUrl(clipId) {
  // Twitch's player refuses to play unless `parent` names the embedding page's host.
  const params = new URLSearchParams({ clip: clipId, parent: location.hostname });
  return `https://clips.twitch.tv/embed?${params}`;
}

async function showChat(card, clip) {
  // The chat around the moment, as text: chat is untrusted, never HTML.
  const list = card.querySelector(".clip-chat");
  const chat = await api(`/v1.0/clip/${clip.id}/chat`);
  list.textContent = "";
  for (const m of chat.messages) {
    const line = document.createElement("li");
    const who = document.createElement("strong");
    who.textContent = m.display_name || m.login || "?";
    const text = document.createElement("span");
    text.textContent = ` ${m.text}`;
    line.append(who, text);
    list.append(line);
  }
  list.hidden = false;
  list.dataset.messages = String(chat.messages.length);
}

function play(card, clip) {
  showChat(card, clip).catch((e) => say(e.message));
  const frame = document.createElement("iframe");
  frame.className = "player";
  frame.src = embedUrl(clip.clip_id);
  frame.title = `Clip ${clip.clip_id}`;
  frame.allowFullscreen = true;
  frame.setAttribute("allow", "autoplay; fullscreen");
  card.querySelector(".thumb").replaceWith(frame);
  card.classList.add("playing");
}

// Only an https image: a stored thumbnail URL is untrusted (javascript:, data:, http: are not).
function thumbnail(url) {
  try {
    return new URL(url).protocol === "https:" ? url : PLACEHOLDER;
  } catch {
    return PLACEHOLDER;
  }
}

function clipCard(clip) {
  const card = $("clip-card").content.firstElementChild.cloneNode(true);
  card.dataset.clipId = clip.clip_id;
  const img = card.querySelector("img");
  img.src = thumbnail(clip.thumbnail_url);
  img.alt = clip.title || `clip of ${clip.broadcaster_login || clip.broadcaster_id}`;
  img.addEventListener("error", () => { img.src = PLACEHOLDER; }, { once: true });
  card.querySelector(".channel").textContent = clip.broadcaster_login || clip.broadcaster_id;
  const when = card.querySelector(".when");
  when.dateTime = clip.detected_at;
  when.textContent = new Date(clip.detected_at).toLocaleString();
  card.querySelector(".title").textContent = clip.title || "";
  card.querySelector(".thumb").addEventListener("click", () => play(card, clip));
  return card;
}

function clipFilters() {
  const params = new URLSearchParams({
    limit: String(CLIP_PAGE), status: $("clip-status").value, sort: $("clip-sort").value,
  });
  const days = Number($("clip-since").value);
  if (days) params.set("start", new Date(Date.now() - days * DAY_MS).toISOString());
  if ($("clip-channel").value) params.set("channel", $("clip-channel").value);
  return params;
}

let clipRun = 0; // only the latest filter change may fill the grid

async function reloadClips() {
  clipCursor = null;
  $("clips").textContent = "";
  $("clips").dataset.state = "loading";
  $("clip-count").textContent = "";
  $("clips").dataset.run = String(++clipRun);
  await loadClips();
}

async function loadClips() {
  const run = clipRun;
  const params = clipFilters();
  if (clipCursor) params.set("cursor", clipCursor);
  const page = await api(`/v1.0/clip?${params}`);
  if (run !== clipRun) return;
  const grid = $("clips");
  for (const clip of page.clips) grid.append(clipCard(clip));
  clipCursor = page.next_cursor;
  $("clips-more").hidden = !clipCursor;
  $("clips-empty").hidden = grid.children.length > 0;
  $("clip-count").textContent = `${grid.children.length}${clipCursor ? "+" : ""} shown`;
  grid.dataset.state = "loaded";
}

// ---------- charts ----------

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function markersPlugin(times) {
  // Vertical lines at each detection: where the detector fired on this chat.
  return {
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = css("--mark");
        ctx.lineWidth = 2 * devicePixelRatio;
        ctx.setLineDash([6, 4]);
        for (const t of times) {
          const x = Math.round(u.valToPos(t, "x", true));
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

// `timeline`: x is seconds into a video (labelled as minutes), not wall-clock time.
function draw(id, series, data, plugins = [], timeline = false) {
  const box = $(id);
  if (charts[id]) charts[id].destroy();
  box.textContent = "";
  const axis = { stroke: css("--muted"), grid: { stroke: css("--grid") }, ticks: { stroke: css("--grid") } };
  const opts = {
    width: Math.max(box.clientWidth, 280),
    height: 220,
    series: [{}, ...series],
    axes: [timeline ? { ...axis, values: (u, ticks) => ticks.map((s) => `${Math.round(s / 60)} min`) }
      : axis, axis],
    // Counts start at zero, so a quiet stretch looks quiet rather than stretched.
    scales: { x: { time: !timeline }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.05)] } },
    plugins,
  };
  charts[id] = new uPlot(opts, data, box);
  box.dataset.points = String(data[0].length);
}

function line(label, color, fill) {
  return { label, stroke: css(color), width: 1.5, fill: fill ? css(color) + "22" : undefined };
}

async function drawEmote(run, channel, interval) {
  const emote = $("emote").value;
  const box = $("emote-chart");
  if (!emote) {
    box.textContent = "No emotes in this channel's chat.";
    box.dataset.state = "empty";
    return;
  }
  const q = new URLSearchParams({ emote, interval });
  const usage = await api(`/v1.0/channels/${encodeURIComponent(channel)}/emotes/usage?${q}`);
  if (run !== chartRun) return;
  draw("emote-chart", [line(emote, "--line", true)], [usage.t, usage.uses]);
  Object.assign(box.dataset, { state: "drawn", emote, interval, total: String(usage.total) });
  $("emote-caption").textContent = `${emote}: ${usage.total} uses`;
}

async function drawRate(run, channel, interval) {
  const q = new URLSearchParams({ interval });
  const rate = await api(`/v1.0/channels/${encodeURIComponent(channel)}/activity?${q}`);
  if (run !== chartRun) return;
  const marks = rate.detections.map((d) => Date.parse(d.detected_at) / 1000);
  draw("rate-chart", [line("messages", "--line", true)], [rate.t, rate.messages],
       [markersPlugin(marks)]);
  Object.assign($("rate-chart").dataset, { state: "drawn", detections: String(marks.length) });
  $("rate-caption").textContent = `${marks.length} detection${marks.length === 1 ? "" : "s"}`;
}

async function drawChatters(run, channel, interval) {
  const q = new URLSearchParams({ interval });
  const c = await api(`/v1.0/channels/${encodeURIComponent(channel)}/chatters?${q}`);
  if (run !== chartRun) return;
  draw("chatters-chart", [line("active", "--line2", true), line("new", "--line", false)],
       [c.t, c.active, c.new]);
  $("chatters-chart").dataset.state = "drawn";
  $("chatters-caption").textContent = `${c.distinct_chatters} distinct chatters`;
}

// The marts keep sentiment per minute and per hour: the page's interval picks the nearer one.
function sentimentInterval(chosen) {
  return chosen === "1h" || chosen === "5m" ? "1h" : "1m";
}

function drawSentimentSplit(totals) {
  const box = $("sentiment-split");
  box.textContent = "";
  const all = totals.positive + totals.neutral + totals.negative;
  for (const label of ["positive", "neutral", "negative"]) {
    const share = all ? totals[label] / all : 0;
    const part = document.createElement("span");
    part.className = `split-${label}`;
    part.style.flexGrow = String(share);
    part.dataset.messages = String(totals[label]);
    part.textContent = `${label} ${(share * 100).toFixed(0)} %`;
    box.append(part);
  }
}

async function drawSentiment(run, channel, chosen) {
  const q = new URLSearchParams({ interval: sentimentInterval(chosen) });
  const s = await api(`/v1.0/channels/${encodeURIComponent(channel)}/sentiment?${q}`);
  if (run !== chartRun) return;
  draw("sentiment-chart", [line("positive", "--pos", true), line("negative", "--neg", true)],
       [s.t, s.positive, s.negative]);
  const sum = (values) => values.reduce((a, b) => a + b, 0);
  const totals = { positive: sum(s.positive), neutral: sum(s.neutral), negative: sum(s.negative) };
  drawSentimentSplit(totals);
  Object.assign($("sentiment-chart").dataset, {
    state: "drawn", interval: s.interval, positive: String(totals.positive),
    neutral: String(totals.neutral), negative: String(totals.negative),
  });
  $("sentiment-caption").textContent = `per ${s.interval}`;
}

function interval() {
  return document.querySelector("input[name=interval]:checked").value;
}

function rememberView() {
  // The view in the URL, so it can be shared: ?channel=&emote=&interval=
  const q = new URLSearchParams({ channel: $("channel").value, interval: interval() });
  if ($("emote").value) q.set("emote", $("emote").value);
  history.replaceState(null, "", `?${q}`);
}

async function drawCharts() {
  const run = ++chartRun;
  const channel = $("channel").value;
  if (!channel) return;
  say("");
  rememberView();
  try {
    await Promise.all([
      drawEmote(run, channel, interval()),
      drawRate(run, channel, interval()),
      drawChatters(run, channel, interval()),
      drawSentiment(run, channel, interval()),
      drawChannelProfile(channel),
      drawCommunities(channel),
    ]);
  } catch (error) {
    say(error.message);
  }
}

async function loadEmotes() {
  const channel = $("channel").value;
  const select = $("emote");
  select.textContent = "";
  if (!channel) return;
  const list = await api(`/v1.0/channels/${encodeURIComponent(channel)}/emotes?limit=40`);
  for (const e of list.emotes) {
    select.append(new Option(`${e.name} (${e.source}, ${e.uses})`, e.name));
  }
  const wanted = new URLSearchParams(location.search).get("emote");
  if (wanted && list.emotes.some((e) => e.name === wanted)) select.value = wanted;
}

async function loadChannels() {
  const { channels } = await api("/v1.0/channels");
  const select = $("channel");
  for (const c of channels) {
    $("clip-channel").append(new Option(c.login || c.broadcaster_id, c.broadcaster_id));
  }
  for (const c of channels.filter((c) => c.message_count > 0)) {
    select.append(new Option(`${c.login || c.broadcaster_id} (${c.message_count} msgs)`,
                             c.broadcaster_id));
  }
  const shared = new URLSearchParams(location.search);
  const wantedInterval = document.querySelector(
    `input[name=interval][value="${CSS.escape(shared.get("interval") || "")}"]`);
  if (wantedInterval) wantedInterval.checked = true;
  const wanted = shared.get("channel");
  if (wanted) {
    const match = channels.find((c) => c.broadcaster_id === wanted || c.login === wanted);
    if (match) select.value = match.broadcaster_id;
  }
}

// ---------- wiring ----------

function toggleTheme() {
  const next = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
  document.documentElement.dataset.theme = next;
  localStorage.setItem("chatlake-theme", next);
  drawCharts(); // uPlot paints on canvas: colours are read when drawing
}

async function main() {
  $("theme-toggle").addEventListener("click", toggleTheme);
  $("filters").addEventListener("submit", (event) => event.preventDefault());
  $("clip-filters").addEventListener("submit", (event) => event.preventDefault());
  $("community-filters").addEventListener("change",
    () => drawCommunities($("channel").value).catch((e) => say(e.message)));
  $("clip-filters").addEventListener("change", () => reloadClips().catch((e) => say(e.message)));
  $("clips-more").addEventListener("click", () => loadClips().catch((e) => say(e.message)));
  $("channel").addEventListener("change", async () => {
    try { await loadEmotes(); } catch (e) { say(e.message); }
    drawCharts();
  });
  $("emote").addEventListener("change", drawCharts);
  $("interval").addEventListener("change", drawCharts);
  let resizeTimer;
  addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const [id, chart] of Object.entries(charts)) {
        chart.setSize({ width: Math.max($(id).clientWidth, 280), height: 220 });
      }
    }, 150);
  });
  const clips = loadClips().catch((e) => say(e.message));
  const tuning = drawTuning().catch((e) => say(e.message));
  try {
    await loadChannels();
    await loadEmotes();
    await drawCharts();
  } catch (e) {
    say(e.message);
  }
  await Promise.all([clips, tuning]);
  document.body.dataset.ready = "true";
}

main();
