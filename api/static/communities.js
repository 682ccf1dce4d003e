// Channel communities: the map of a period (an SVG of our own: edges, then channels sized by
// chatters and coloured by community; drag pans, the wheel zooms), the chosen channel's
// community and its neighbours by shared chatters. Names are set as text, never as HTML.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const MAP_SIZE = 1000;

function svg(name, attributes = {}) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

function panAndZoom(root) {
  let box = { x: 0, y: 0, w: MAP_SIZE, h: MAP_SIZE };
  let drag = null;
  const apply = () => root.setAttribute("viewBox", `${box.x} ${box.y} ${box.w} ${box.h}`);
  root.addEventListener("wheel", (event) => {
    event.preventDefault();
    const factor = event.deltaY < 0 ? 0.8 : 1.25;
    const rect = root.getBoundingClientRect();
    const fx = (event.clientX - rect.left) / rect.width;
    const fy = (event.clientY - rect.top) / rect.height;
    const w = box.w * factor, h = box.h * factor;
    box = { x: box.x + (box.w - w) * fx, y: box.y + (box.h - h) * fy, w, h };
    apply();
  }, { passive: false });
  root.addEventListener("pointerdown", (e) => { drag = { x: e.clientX, y: e.clientY, box: { ...box } }; });
  window.addEventListener("pointerup", () => { drag = null; });
  root.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const rect = root.getBoundingClientRect();
    box.x = drag.box.x - (event.clientX - drag.x) * box.w / rect.width;
    box.y = drag.box.y - (event.clientY - drag.y) * box.h / rect.height;
    apply();
  });
}

function drawMap(layout, channel) {
  const box = $("community-map");
  box.textContent = "";
  const half = MAP_SIZE / 2;
  const px = (v) => (half + v * (half - 20)).toFixed(1);
  const root = svg("svg", { viewBox: `0 0 ${MAP_SIZE} ${MAP_SIZE}`, role: "img",
                            "aria-label": "Channel communities" });
  const edges = svg("g", { class: "edges" });
  const nodes = svg("g", { class: "nodes" });
  const heaviest = Math.max(1e-12, ...layout.edges.map((e) => e.w));
  for (const e of layout.edges) {
    const a = layout.nodes[e.s], b = layout.nodes[e.t];
    edges.append(svg("line", { x1: px(a.x), y1: px(-a.y), x2: px(b.x), y2: px(-b.y),
                               "stroke-opacity": (0.05 + 0.4 * e.w / heaviest).toFixed(3) }));
  }
  const most = Math.max(1, ...layout.nodes.map((n) => n.chatters));
  const perColour = {};
  for (const n of layout.nodes) {
    const circle = svg("circle", {
      cx: px(n.x), cy: px(-n.y), r: (3 + 14 * Math.sqrt(n.chatters / most)).toFixed(1),
      fill: n.colour, "data-community": n.community, "data-channel": n.id,
    });
    if (n.id === channel) circle.classList.add("chosen");
    const title = svg("title");
    title.textContent = `${n.name || n.id} · community ${n.community} · ${n.chatters} chatters`;
    circle.append(title);
    nodes.append(circle);
    perColour[n.colour] = (perColour[n.colour] || 0) + 1;
  }
  root.append(edges, nodes);
  box.append(root);
  panAndZoom(root);
  const legend = $("community-legend");
  legend.textContent = "";
  for (const c of layout.communities) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = c.colour;
    item.append(swatch, ` ${c.community}: ${c.channels} channels${c.label ? ` · ${c.label}` : ""}`);
    legend.append(item);
  }
  Object.assign(box.dataset, { state: "drawn", nodes: String(layout.nodes.length),
                               edges: String(layout.edges.length),
                               colours: JSON.stringify(perColour) });
}

function drawNeighbours(list, layout) {
  const body = document.querySelector("#neighbours tbody");
  body.textContent = "";
  const community = new Map(layout ? layout.nodes.map((n) => [n.id, n.community]) : []);
  for (const n of list.neighbours) {
    const row = document.createElement("tr");
    row.dataset.channel = n.broadcaster_id;
    for (const text of [n.login || n.broadcaster_id, n.shared_chatters,
      `${(n.jaccard_index * 100).toFixed(1)} %`, `${(n.directed_share * 100).toFixed(1)} %`,
      community.has(n.broadcaster_id) ? community.get(n.broadcaster_id) : "–"]) {
      const cell = document.createElement("td");
      cell.textContent = String(text);
      row.append(cell);
    }
    body.append(row);
  }
  $("neighbours").dataset.rows = String(list.neighbours.length);
}

function communityPeriod() {
  return document.querySelector("input[name=community-period]:checked").value;
}

async function drawCommunities(channel) {
  const period = communityPeriod();
  let layout = null;
  try {
    layout = await api(`/v1.0/communities/map?${new URLSearchParams({ period })}`);
  } catch {
    $("community-map").textContent = `No communities built for ${period} yet: ` +
      `chatlake communities build --period ${period}`;
    $("community-map").dataset.state = "empty";
  }
  if (layout) drawMap(layout, channel);
  const mine = layout && layout.nodes.find((n) => n.id === channel);
  const label = mine && layout.communities.find((c) => c.community === mine.community);
  $("community-of").textContent = mine
    ? `community ${mine.community}${label && label.label ? ` (${label.label})` : ""}` : "";
  if (!channel) return;
  const q = new URLSearchParams({ period, limit: "10" });
  drawNeighbours(await api(`/v1.0/channels/${encodeURIComponent(channel)}/neighbours?${q}`),
                 layout);
}
