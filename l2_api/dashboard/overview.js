// Overview: the range's totals from usage-summary and, from
// daily-aggregates, a chart of cost and calls per UTC day.

import { call } from "./api.js";
import { h, num, dollars, ms, addDays, table, failure, rangeForm, firstRecordHelp } from "./dom.js";

export const title = "Overview";

export async function render(root, ctx) {
  const out = h("div", { class: "loading", text: "Loading…" });
  root.append(
    h("h1", { tabindex: "-1", text: "Overview" }),
    rangeForm(ctx.range, (r) => { ctx.range = r; ctx.rerender(); }),
    out);
  const query = { start_date: ctx.range.start, end_date: ctx.range.end };
  let summary, daily;
  try {
    [{ data: summary }, { data: daily }] = await Promise.all([
      call("GET", "/api/v1/telemetry/usage-summary", { query }),
      call("GET", "/api/v1/telemetry/daily-aggregates", { query }),
    ]);
  } catch (err) {
    out.replaceChildren(failure(err, "telemetry:read"));
    out.className = "";
    return;
  }
  const stats = [
    ["Calls", num(summary.total_calls), "calls"],
    ["Tokens in", num(summary.total_tokens_in), "tokens-in"],
    ["Tokens out", num(summary.total_tokens_out), "tokens-out"],
    ["Cost", dollars(summary.total_cost_cents), "cost"],
    ["Errors", num(summary.error_count), "errors"],
    ["Blocked", num(summary.blocked_count), "blocked"],
    ["Mean latency", ms(summary.avg_latency_ms), "latency"],
  ];
  const children = [
    h("p", { class: "period", text: `${summary.period_start} to ${summary.period_end} (UTC days, inclusive)` }),
    h("dl", { class: "stats", id: "totals" }, stats.map(([label, value, key]) =>
      h("div", { class: "stat" }, h("dt", { text: label }), h("dd", { id: `stat-${key}`, text: value })))),
  ];
  if (summary.total_calls === 0) {
    children.push(firstRecordHelp(ctx.session.tenant_id, await ctx.firstIntegrationID()));
  }
  const days = perDay(daily, summary.period_start, summary.period_end);
  const chart = h("div", { class: "chart", id: "chart", role: "img",
    "aria-label": `Cost and calls per day, ${summary.period_start} to ${summary.period_end}; the table below has the figures.` });
  children.push(
    h("h2", { text: "Cost and calls per day" }),
    chart,
    h("details", { class: "daily" },
      h("summary", { text: "Figures per day" }),
      table("Cost and calls per UTC day", ["Day", "Calls", "Cost"], days.map((d) =>
        h("tr", {}, h("td", { text: d.day }), h("td", { class: "num", text: num(d.calls) }), h("td", { class: "num", text: dollars(d.cents) }))))));
  out.className = "";
  out.replaceChildren(...children);
  drawChart(chart, days);
}

/** perDay adds the rows of each day (one per integration) and fills the days without usage with zeros. */
function perDay(rows, start, end) {
  const by = new Map();
  for (const r of rows) {
    const d = by.get(r.date) || { calls: 0, cents: 0 };
    d.calls += r.total_calls;
    d.cents += r.total_cost_cents;
    by.set(r.date, d);
  }
  const days = [];
  for (let day = start; day <= end; day = addDays(day, 1)) {
    const d = by.get(day) || { calls: 0, cents: 0 };
    days.push({ day, calls: d.calls, cents: d.cents });
  }
  return days;
}

function drawChart(el, days) {
  if (typeof window.uPlot !== "function") {
    el.textContent = "The chart library did not load; the figures are in the table below.";
    return;
  }
  const uPlot = window.uPlot;
  const xs = days.map((d) => Date.parse(d.day + "T00:00:00Z") / 1000);
  const width = () => Math.max(280, el.clientWidth);
  // Calls are whole numbers and cost is whole cents: ticks never fall between.
  const wholes = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 1e7, 1e8];
  const opts = {
    width: width(),
    height: 260,
    // The API's days are UTC days: label them so, whatever the browser's zone.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    scales: {
      x: { time: true, range: (u, min, max) => [min - 43200, max + 43200] },
      calls: { range: (u, min, max) => [0, Math.max(1, max)] },
      usd: { range: (u, min, max) => [0, Math.max(0.01, max)] },
    },
    series: [
      { label: "Day", value: (u, v) => (v == null ? "—" : new Date(v * 1000).toISOString().slice(0, 10)) },
      { label: "Calls", scale: "calls", stroke: "#2563eb", fill: "rgba(37, 99, 235, 0.35)", width: 1,
        paths: uPlot.paths.bars({ size: [0.7, 48] }), points: { show: false },
        value: (u, v) => (v == null ? "—" : num(v)) },
      { label: "Cost", scale: "usd", stroke: "#c2410c", width: 2, points: { show: true, size: 5 },
        value: (u, v) => (v == null ? "—" : "$" + v.toFixed(2)) },
    ],
    axes: [
      {},
      { scale: "calls", label: "Calls", incrs: wholes, values: (u, vals) => vals.map((v) => num(v)) },
      { scale: "usd", side: 1, label: "Cost (USD)", grid: { show: false }, incrs: wholes.map((c) => c / 100),
        values: (u, vals) => vals.map((v) => "$" + v.toFixed(2)) },
    ],
  };
  const plot = new uPlot(opts, [xs, days.map((d) => d.calls), days.map((d) => d.cents / 100)], el);
  new ResizeObserver(() => {
    if (plot.width !== width()) plot.setSize({ width: width(), height: 260 });
  }).observe(el);
}
