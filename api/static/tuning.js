// The newest tuning run's parameter sets, best first, as the tuning job stored them
// (GET /v1.0/tuning/results). Values are set as text, never as HTML.
"use strict";

// The parameters a tuner compares first; the rest are in each row's tooltip.
const TUNING_KEYS = ["signal", "k", "bucket_s", "baseline_s", "cooldown_s", "min_count"];

function figure(value, digits = 2) {
  return typeof value === "number" ? value.toFixed(digits) : "–";
}

function tuningRow(result) {
  const params = result.params || {};
  const shown = TUNING_KEYS.filter((key) => key in params).map((key) => `${key}=${params[key]}`);
  const row = document.createElement("tr");
  row.dataset.rank = String(result.rank);
  row.title = JSON.stringify(params);
  if (result.is_chosen) row.classList.add("chosen");
  const cells = [result.rank, shown.join(" "), figure(result.train_f1),
    figure(result.train_precision), figure(result.train_recall), figure(result.test_f1),
    figure(result.train_per_hour, 1), result.is_chosen ? "chosen" : ""];
  for (const text of cells) {
    const cell = document.createElement("td");
    cell.textContent = String(text);
    row.append(cell);
  }
  return row;
}

async function drawTuning() {
  const answer = await api("/v1.0/tuning/results?limit=200");
  const newest = answer.results.length ? answer.results[0].run_id : null;
  const rows = answer.results.filter((r) => newest !== null && r.run_id === newest);
  const body = document.querySelector("#tuning tbody");
  body.textContent = "";
  body.append(...rows.slice(0, 20).map(tuningRow));
  $("tuning-empty").hidden = rows.length > 0;
  $("tuning-run").textContent = rows.length
    ? `run ${newest}, ${new Date(rows[0].started_at).toLocaleString()}, ${rows[0].source}` : "";
  $("tuning").dataset.rows = String(Math.min(rows.length, 20));
}
