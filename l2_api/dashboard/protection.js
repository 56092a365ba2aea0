// Protection: the tenant's protection events (rejections, throttles and
// warnings), newest first, optionally of one dimension. A burst of
// refusals records one event per request; consecutive events that differ
// only in time and in their figures are shown as one row with a count.

import { call } from "./api.js";
import { h, num, when, table, failure } from "./dom.js";

export const title = "Protection";

const dimensions = ["rate", "burst", "cost", "anomaly", "backend_unavailable"];
const pageSize = 50;
const state = { dimension: "", offset: 0 };

export async function render(root, ctx) {
  const select = h("select", { id: "protection-dimension", name: "dimension" },
    h("option", { value: "", text: "All dimensions" }),
    dimensions.map((d) => h("option", { value: d, text: d })));
  select.value = state.dimension;
  select.addEventListener("change", () => {
    state.dimension = select.value;
    state.offset = 0;
    ctx.rerender();
  });
  const out = h("div", { class: "loading", text: "Loading…" });
  root.append(
    h("h1", { tabindex: "-1", text: "Protection" }),
    h("p", { class: "hint", text: "Requests that protection refused, slowed or warned about: every decision that was not a plain allow." }),
    h("div", { class: "filters" }, h("div", { class: "field" }, h("label", { for: "protection-dimension", text: "Dimension" }), select)),
    out);
  let page;
  try {
    page = await call("GET", "/api/v1/protection/events", {
      query: { dimension: state.dimension, limit: pageSize, offset: state.offset } });
  } catch (err) {
    out.className = "";
    out.replaceChildren(failure(err, "protection:read"));
    return;
  }
  out.className = "";
  if (page.data.length === 0) {
    out.replaceChildren(h("p", { class: "empty-note", id: "protection-empty",
      text: state.dimension ? `No ${state.dimension} events.` : "No protection events: nothing has been refused, throttled or warned about." }));
    return;
  }
  const runs = groupRuns(page.data);
  const rows = runs.map((run) => {
    const [newest] = run;
    const oldest = run[run.length - 1];
    return h("tr", {},
      h("td", {}, when(newest.occurred_at),
        run.length > 1 ? h("span", { class: "since", text: `since ${when(oldest.occurred_at)}` }) : null),
      h("td", { text: newest.dimension }),
      h("td", {}, h("span", { class: `badge ${newest.decision}`, text: newest.decision })),
      h("td", { class: "num", text: num(run.length) }),
      h("td", {}, h("code", { text: `${newest.method} ${newest.endpoint}` })),
      h("td", {}, actor(newest)),
      h("td", { class: "details" }, details(run)));
  });
  const from = state.offset + 1;
  const to = state.offset + page.data.length;
  out.replaceChildren(
    h("p", { class: "period", id: "protection-count",
      text: `Events ${num(from)}–${num(to)} of ${num(page.meta.total)}` + (runs.length < page.data.length ? `, in ${num(runs.length)} rows` : "") }),
    table("Protection events, newest first", ["When (UTC)", "Dimension", "Decision", "Events", "Route", "Actor", "Details"], rows),
    h("div", { class: "pager" },
      h("button", { type: "button", class: "secondary", disabled: state.offset === 0,
        onclick: () => { state.offset = Math.max(0, state.offset - pageSize); ctx.rerender(); } }, "Previous page"),
      h("button", { type: "button", id: "protection-next", disabled: !page.meta.has_more,
        onclick: () => { state.offset += pageSize; ctx.rerender(); } }, "Next page")));
}

/** groupRuns splits the events, newest first, into runs of the same decision on the same route by the same actor. */
function groupRuns(events) {
  const same = (a, b) => a.dimension === b.dimension && a.decision === b.decision && a.method === b.method &&
    a.endpoint === b.endpoint && a.actor_type === b.actor_type && a.actor_id === b.actor_id;
  const runs = [];
  for (const e of events) {
    const last = runs[runs.length - 1];
    if (last && same(last[0], e)) last.push(e);
    else runs.push([e]);
  }
  return runs;
}

const uuidLike = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * actor names who was refused. The API gives a key's id, and no tenant
 * endpoint maps a key id to a name, so a key is shown by the last eight
 * characters of its id, the whole id on hover. The last, not the first: hoc's
 * ids are UUIDv7, whose first characters are the time they were made, the
 * same for keys made in the same minute; the last are random.
 */
function actor(e) {
  const id = e.actor_id;
  const short = uuidLike.test(id) ? `…${id.slice(-8)}` : id.length > 24 ? `${id.slice(0, 23)}…` : id;
  const kind = e.actor_type === "machine" ? "Key" : e.actor_type === "customer" ? "Customer" : e.actor_type;
  return h("span", { class: "actor", title: id, dataset: { actorId: id } },
    `${kind} `, h("code", { text: short }));
}

/**
 * details lists a run's details as "name: value" lines: names in words, a
 * value in milliseconds with its unit, and a figure that varies within the
 * run as its smallest to largest.
 */
function details(run) {
  const keys = [...new Set(run.flatMap((e) => Object.keys(e.details || {})))].sort();
  if (keys.length === 0) return "—";
  return h("ul", { class: "details" }, keys.map((k) => {
    const values = run.map((e) => e.details?.[k]).filter((v) => v !== undefined);
    const unit = k.endsWith("_ms") ? " ms" : "";
    const label = (unit ? k.slice(0, -3) : k).replaceAll("_", " ");
    return h("li", {}, h("span", { class: "detail-name", text: `${label}: ` }), value(values, unit));
  }));
}

/** value shows one detail's values over a run. */
function value(values, unit) {
  const show = (v) => (typeof v === "number" ? (Number.isInteger(v) ? num(v) : String(v)) : typeof v === "string" ? v : JSON.stringify(v));
  if (values.every((v) => typeof v === "number")) {
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    return lo === hi ? show(lo) + unit : `${show(lo)}–${show(hi)}${unit}`;
  }
  const distinct = [...new Set(values.map(show))];
  return distinct.length === 1 ? distinct[0] + unit : distinct.join(", ");
}
