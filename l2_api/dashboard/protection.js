// Protection: the tenant's protection events (rejections, throttles and
// warnings), newest first, optionally of one dimension.

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
  const rows = page.data.map((e) => h("tr", {},
    h("td", { text: when(e.occurred_at) }),
    h("td", { text: e.dimension }),
    h("td", {}, h("span", { class: `badge ${e.decision}`, text: e.decision })),
    h("td", {}, h("code", { text: `${e.method} ${e.endpoint}` })),
    h("td", { text: `${e.actor_type} ${e.actor_id}` }),
    h("td", {}, h("code", { class: "details", text: JSON.stringify(e.details) }))));
  const from = state.offset + 1;
  out.replaceChildren(
    h("p", { class: "period", id: "protection-count", text: `Events ${num(from)}–${num(state.offset + page.data.length)} of ${num(page.meta.total)}` }),
    table("Protection events, newest first", ["When (UTC)", "Dimension", "Decision", "Route", "Actor", "Details"], rows),
    h("div", { class: "pager" },
      h("button", { type: "button", class: "secondary", disabled: state.offset === 0,
        onclick: () => { state.offset = Math.max(0, state.offset - pageSize); ctx.rerender(); } }, "Previous page"),
      h("button", { type: "button", id: "protection-next", disabled: !page.meta.has_more,
        onclick: () => { state.offset += pageSize; ctx.rerender(); } }, "Next page")));
}
