// chatlake community map: a small self-written SVG renderer, vendored with the page so the map
// works without a network. Reads the JSON in <script id="map-data" type="application/json">,
// draws edges then nodes, pans (drag) and zooms (wheel). Names are untrusted: they only ever
// reach the page as textContent, never as HTML.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function el(name, attrs) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    return node;
  }

  function render(root, data) {
    var size = 1000, half = size / 2;
    var svg = el("svg", { viewBox: "0 0 " + size + " " + size, width: "100%", height: "100%",
                          role: "img", "aria-label": "channel communities" });
    var edgeLayer = el("g", { class: "edges" }), nodeLayer = el("g", { class: "nodes" });
    svg.appendChild(edgeLayer);
    svg.appendChild(nodeLayer);
    function px(v) { return half + v * (half - 20); }
    var maxWeight = data.edges.reduce(function (m, e) { return Math.max(m, e.w); }, 1e-12);
    data.edges.forEach(function (e) {
      var a = data.nodes[e.s], b = data.nodes[e.t];
      edgeLayer.appendChild(el("line", {
        x1: px(a.x), y1: px(-a.y), x2: px(b.x), y2: px(-b.y), stroke: "#808080",
        "stroke-opacity": (0.05 + 0.4 * e.w / maxWeight).toFixed(3), "stroke-width": 0.6 }));
    });
    var maxChatters = data.nodes.reduce(function (m, n) { return Math.max(m, n.chatters); }, 1);
    var counts = {};
    data.nodes.forEach(function (n) {
      var circle = el("circle", {
        cx: px(n.x), cy: px(-n.y), r: (2 + 14 * Math.sqrt(n.chatters / maxChatters)).toFixed(2),
        fill: n.colour, "data-community": n.community, class: "channel" });
      var title = el("title");
      title.textContent = (n.name || n.id) + " · community " + n.community + " · " +
        n.chatters + " chatters";
      circle.appendChild(title);
      nodeLayer.appendChild(circle);
      counts[n.colour] = (counts[n.colour] || 0) + 1;
    });
    root.appendChild(svg);
    var legend = document.createElement("ol");
    legend.className = "legend";
    data.communities.forEach(function (c) {
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = c.colour;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(
        " " + c.community + ": " + c.channels + " channels" + (c.label ? " · " + c.label : "")));
      legend.appendChild(item);
    });
    root.appendChild(legend);
    panAndZoom(svg, size);
    return counts;
  }

  function panAndZoom(svg, size) {
    var box = { x: 0, y: 0, w: size, h: size }, drag = null;
    function apply() { svg.setAttribute("viewBox", [box.x, box.y, box.w, box.h].join(" ")); }
    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      var factor = event.deltaY < 0 ? 0.8 : 1.25;
      var rect = svg.getBoundingClientRect();
      var fx = (event.clientX - rect.left) / rect.width, fy = (event.clientY - rect.top) / rect.height;
      var w = box.w * factor, h = box.h * factor;
      box = { x: box.x + (box.w - w) * fx, y: box.y + (box.h - h) * fy, w: w, h: h };
      apply();
    }, { passive: false });
    svg.addEventListener("pointerdown", function (event) {
      drag = { x: event.clientX, y: event.clientY, box: Object.assign({}, box) };
    });
    window.addEventListener("pointerup", function () { drag = null; });
    svg.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      var rect = svg.getBoundingClientRect();
      box.x = drag.box.x - (event.clientX - drag.x) * box.w / rect.width;
      box.y = drag.box.y - (event.clientY - drag.y) * box.h / rect.height;
      apply();
    });
  }

  function start() {
    var source = document.getElementById("map-data");
    var root = document.getElementById("map");
    if (!source || !root) { return; }
    var data = JSON.parse(source.textContent);
    var counts = render(root, data);
    window.communityMap = { nodes: data.nodes.length, edges: data.edges.length,
                            nodesPerColour: counts };
    document.body.setAttribute("data-map-ready", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
