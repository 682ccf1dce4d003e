// The newest tuning run's parameter sets, best first, as the tuning job stored them
// (GET /v1.0/tuning/results), and a backtest plot of its chosen set on one labelled video:
// chat rate, labelled intervals as bands, detections as lines. Values are set as text only.
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
  if (newest !== null) await listTuningVideos(newest);
}

function bandsPlugin(intervals) {
  // The labelled highlights as shaded bands behind the rate.
  return {
    hooks: {
      drawClear: (u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.fillStyle = css("--band");
        for (const [start, end] of intervals) {
          const left = u.valToPos(start, "x", true);
          const right = u.valToPos(end, "x", true);
          ctx.fillRect(left, u.bbox.top, Math.max(right - left, 2), u.bbox.height);
        }
        ctx.restore();
      },
    },
  };
}

async function listTuningVideos(runId) {
  const select = $("tuning-video");
  select.textContent = "";
  let list;
  try {
    list = await api(`/v1.0/tuning/runs/${encodeURIComponent(runId)}/videos`);
  } catch {
    $("tuning-plot-box").hidden = true;  // a run from before videos were stored
    return;
  }
  for (const v of list.videos) {
    const option = document.createElement("option");
    option.value = v.video_id;
    option.textContent = `${v.video_id}${v.split ? ` (${v.split})` : ""}: ${v.labels} labels, ` +
      `${v.detections} detections`;
    select.append(option);
  }
  $("tuning-plot-box").hidden = list.videos.length === 0;
  select.onchange = () => drawTuningVideo(runId, select.value).catch((e) => say(e.message));
  if (list.videos.length) await drawTuningVideo(runId, select.value);
}

async function drawTuningVideo(runId, videoId) {
  const q = new URLSearchParams({ video_id: videoId });
  const v = await api(`/v1.0/tuning/runs/${encodeURIComponent(runId)}/backtest?${q}`);
  const rate = v.messages.map((n) => n / v.bucket_s);
  draw("tuning-plot", [line("messages / s", "--line", true)], [v.window_end_s, rate],
       [bandsPlugin(v.labels), markersPlugin(v.detections)], true);
  Object.assign($("tuning-plot").dataset, {
    state: "drawn", video: videoId, labels: String(v.labels.length),
    detections: String(v.detections.length),
  });
}
