// The channel profile under the charts: chat by weekday and hour, the streams' participation,
// and downloads of the channel's data. Everything untrusted is set as text, never as HTML.
"use strict";

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const DOWNLOADS = [
  ["Chat rate by hour (CSV)", "channel_hourly_rollups", "csv"],
  ["Daily rollups (CSV)", "channel_daily_rollups", "csv"],
  ["Streams and participation (CSV)", "stream_participation", "csv"],
  ["Emote usage (Parquet)", "emote_usage", "parquet"],
  ["Messages (JSON lines)", "chat_messages", "jsonl"],
];

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function drawHeatmap(heatmap) {
  const box = document.getElementById("heatmap");
  box.textContent = "";
  const peak = Math.max(1, ...heatmap.messages.flat());
  const table = element("table", null, { class: "heatmap" });
  const head = element("tr");
  head.append(element("th", ""));
  for (let hour = 0; hour < 24; hour++) head.append(element("th", hour % 3 ? "" : hour, { scope: "col" }));
  table.append(head);
  heatmap.messages.forEach((counts, weekday) => {
    const row = element("tr");
    row.append(element("th", WEEKDAYS[weekday], { scope: "row" }));
    counts.forEach((count, hour) => {
      const cell = element("td", null, {
        title: `${WEEKDAYS[weekday]} ${hour}:00 UTC: ${count} messages`,
        "data-weekday": String(weekday), "data-hour": String(hour), "data-messages": String(count),
      });
      // Square root: one busy hour would otherwise wash every other cell out.
      cell.style.setProperty("--heat", Math.sqrt(count / peak).toFixed(3));
      row.append(cell);
    });
    table.append(row);
  });
  box.append(table);
  box.dataset.state = "drawn";
  box.dataset.total = String(heatmap.messages.flat().reduce((a, b) => a + b, 0));
}

function percent(share) {
  return share === null || share === undefined ? "–" : `${(share * 100).toFixed(1)} %`;
}

function drawStreams(list) {
  const body = document.querySelector("#streams tbody");
  body.textContent = "";
  for (const s of list.streams) {
    const row = element("tr", null, { "data-stream-id": s.stream_id });
    const started = element("time", new Date(s.started_at).toLocaleString(), { datetime: s.started_at });
    const when = element("td");
    when.append(started);
    row.append(
      when,
      element("td", s.duration_s === null ? "open" : `${Math.round(s.duration_s / 60)} min`),
      element("td", s.messages, { class: "num" }),
      element("td", s.active_chatters, { class: "num" }),
      element("td", s.new_chatters, { class: "num" }),
      element("td", s.returning_chatters, { class: "num" }),
      element("td", s.regulars, { class: "num" }),
      element("td", percent(s.top_10_percent_share), { class: "num" }),
    );
    body.append(row);
  }
  document.getElementById("streams").dataset.rows = String(list.streams.length);
  document.getElementById("streams-empty").hidden = list.streams.length > 0;
}

function drawDownloads(channel) {
  const list = document.getElementById("downloads");
  list.textContent = "";
  for (const [label, source, format] of DOWNLOADS) {
    const q = new URLSearchParams({ format, channel });
    const link = element("a", label, { href: `/v1.0/exports/${source}?${q}`, download: "" });
    const item = element("li");
    item.append(link);
    list.append(item);
  }
  const markers = new URLSearchParams({ format: "edl" });
  const item = element("li");
  item.append(element("a", "Editor markers of the latest stream (EDL)", {
    href: `/v1.0/channels/${encodeURIComponent(channel)}/stream-markers?${markers}`, download: "",
  }));
  list.append(item);
}

// The live feed keeps this many lines; older ones scroll off so a busy chat cannot grow the page.
const LIVE_LINES = 200;
let liveSource = null;
let livePaused = false;
const liveHeld = [];

function liveLine(message) {
  const line = element("li");
  line.append(element("strong", message.display_name || message.login || "?"), ` ${message.text}`);
  return line;
}

function showLive(lines) {
  const list = document.getElementById("live-chat");
  list.append(...lines);
  while (list.children.length > LIVE_LINES) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
  list.dataset.lines = String(Number(list.dataset.lines || 0) + lines.length);
}

// Hovering the list pauses it (lines are held, not dropped) so a line can be read.
function pauseLive(paused) {
  livePaused = paused;
  document.getElementById("live-state").textContent = paused ? "paused" : "live";
  if (!paused && liveHeld.length) showLive(liveHeld.splice(0).map(liveLine));
}

function followLiveChat(channel) {
  if (liveSource) liveSource.close();
  const list = document.getElementById("live-chat");
  const state = document.getElementById("live-state");
  list.textContent = "";
  list.dataset.lines = "0";
  liveHeld.length = 0;
  state.textContent = "connecting…";
  list.onmouseenter = () => pauseLive(true);
  list.onmouseleave = () => pauseLive(false);
  liveSource = new EventSource(`/v1.0/channels/${encodeURIComponent(channel)}/live`);
  liveSource.onopen = () => { state.textContent = livePaused ? "paused" : "live"; };
  liveSource.onerror = () => { state.textContent = "not available (retrying)"; };
  liveSource.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (livePaused) liveHeld.push(message);
    else showLive([liveLine(message)]);
  });
}

// The latest stream's game, title and language, when the monitor or an import recorded them.
async function describeStream(path) {
  const about = document.getElementById("stream-about");
  about.textContent = "";
  let stream;
  try {
    stream = await api(`${path}/stream`);
  } catch {
    return;  // none recorded
  }
  const parts = [stream.title, stream.game_name, stream.language].filter(Boolean);
  about.textContent = `latest stream: ${parts.join(" · ")}`;
}

async function drawChannelProfile(channel) {
  followLiveChat(channel);
  const path = `/v1.0/channels/${encodeURIComponent(channel)}`;
  const [heatmap, streams] = await Promise.all([api(`${path}/heatmap`), api(`${path}/streams?limit=20`),
    describeStream(path)]);
  drawHeatmap(heatmap);
  drawStreams(streams);
  drawDownloads(channel);
}
