// Calls: the usage records of the date range the other telemetry pages
// show, newest first, a page at a time by the keyset cursor of
// usage-history (meta.next_cursor), optionally of one integration, and the
// detail of one record.

import { call } from "./api.js";
import { h, num, dollars, ms, when, failure, firstRecordHelp, rangeForm, table } from "./dom.js";

export const title = "Calls";

const pageSize = 25;

// The list's place survives a visit to a record's detail and back, and
// another page; a new range or filter starts again at the first page.
const state = { integration: "", range: "", cursors: [""] };

export async function render(root, ctx) {
  const names = await integrationNames(ctx);
  const select = h("select", { id: "calls-integration", name: "integration_id" },
    h("option", { value: "", text: "All integrations" }),
    [...names].map(([id, name]) => h("option", { value: id, text: name })));
  select.value = state.integration;
  select.addEventListener("change", () => {
    state.integration = select.value;
    state.cursors = [""];
    ctx.rerender();
  });
  const range = `${ctx.range.start}/${ctx.range.end}`;
  if (state.range !== range) {
    state.range = range;
    state.cursors = [""];
  }
  const out = h("div", { class: "loading", text: "Loading…" });
  root.append(
    h("h1", { tabindex: "-1", text: "Calls" }),
    rangeForm(ctx.range, (r) => { ctx.range = r; ctx.rerender(); }),
    h("div", { class: "filters" }, h("div", { class: "field" }, h("label", { for: "calls-integration", text: "Integration" }), select)),
    out);

  const cursor = state.cursors[state.cursors.length - 1];
  let page;
  try {
    page = await call("GET", "/api/v1/telemetry/usage-history", {
      query: { limit: pageSize, cursor, integration_id: state.integration, start_date: ctx.range.start, end_date: ctx.range.end },
    });
  } catch (err) {
    out.className = "";
    out.replaceChildren(failure(err, "telemetry:read"));
    return;
  }
  out.className = "";
  const records = page.data;
  const meta = page.meta;
  if (records.length === 0) {
    out.replaceChildren(await emptyState(ctx));
    return;
  }
  const detail = h("div", { id: "call-detail" });
  const rows = records.map((r) => h("tr", {},
    h("td", { text: when(r.occurred_at).replace(" UTC", "") }),
    h("td", { text: names.get(r.integration_id) || r.integration_id }),
    h("td", { text: `${r.provider} / ${r.model}` }),
    h("td", { class: "num", text: num(r.tokens_in) }),
    h("td", { class: "num", text: num(r.tokens_out) }),
    h("td", { class: "num", text: dollars(r.cost_cents) }),
    h("td", { class: "num", text: ms(r.latency_ms) }),
    h("td", { text: r.error_code ? `error: ${r.error_code}` : r.policy_result }),
    h("td", {}, h("button", { type: "button", class: "link", "aria-label": `Details of call ${r.call_id}`,
      onclick: () => showDetail(detail, list, r, names) }, "Details"))));
  const pageNo = state.cursors.length;
  const nav = h("div", { class: "pager" },
    h("button", { type: "button", class: "secondary", id: "calls-first", disabled: pageNo === 1,
      onclick: () => { state.cursors = [""]; ctx.rerender(); } }, "First page"),
    h("button", { type: "button", class: "secondary", id: "calls-prev", disabled: pageNo === 1,
      onclick: () => { state.cursors.pop(); ctx.rerender(); } }, "Previous page"),
    h("button", { type: "button", id: "calls-next", disabled: !meta.next_cursor,
      onclick: () => { state.cursors.push(meta.next_cursor); ctx.rerender(); } }, "Next page"));
  const list = h("div", { id: "calls-list" },
    h("p", { class: "period", id: "calls-count",
      text: `${ctx.range.start} to ${ctx.range.end} (UTC days, inclusive) · page ${pageNo} · ${num(records.length)} of ${num(meta.total)} records` }),
    table("Usage records, newest first",
      ["When (UTC)", "Integration", "Provider / model", "Tokens in", "Tokens out", "Cost", "Latency", "Result", "Record"],
      rows, "calls-table"),
    nav);
  out.replaceChildren(list, detail);
}

/**
 * emptyState says why the range shows no record: a tenant that has sent
 * nothing at all is shown how to start, one with records on other days is
 * told so.
 */
async function emptyState(ctx) {
  const note = (text) => h("p", { class: "empty-note", id: "calls-empty", text });
  if (state.integration) return note("This integration sent no records in this range.");
  const { meta } = await call("GET", "/api/v1/telemetry/usage-history", { query: { limit: 1 } });
  if (meta.total > 0) return note(`No records in this range; the tenant has ${num(meta.total)} on other days.`);
  return firstRecordHelp(ctx.session.tenant_id, await ctx.firstIntegrationID());
}

/** integrationNames maps ids to names for the filter; without integrations:read it falls back to the integrations with usage. */
async function integrationNames(ctx) {
  const names = new Map();
  try {
    const { data } = await call("GET", "/api/v1/integrations", { query: { limit: 100 } });
    for (const i of data) names.set(i.id, i.name);
  } catch {
    try {
      const { data } = await call("GET", "/api/v1/telemetry/usage-summary", {
        query: { start_date: ctx.range.start, end_date: ctx.range.end } });
      for (const i of data.by_integration || []) names.set(i.integration_id, i.integration_name || i.integration_id);
    } catch {
      // The history call below reports the failure.
    }
  }
  return names;
}

function showDetail(detail, list, r, names) {
  const fields = [
    ["Call id", r.call_id], ["Record id", r.id], ["Integration", `${names.get(r.integration_id) || ""} ${r.integration_id}`.trim()],
    ["Provider", r.provider], ["Model", r.model], ["Tokens in", num(r.tokens_in)], ["Tokens out", num(r.tokens_out)],
    ["Cost", `${dollars(r.cost_cents)} (${num(r.cost_micros)} micro-dollars)`], ["Latency", ms(r.latency_ms)],
    ["Policy result", r.policy_result], ["Session id", r.session_id ?? "—"], ["Agent id", r.agent_id ?? "—"],
    ["Occurred", when(r.occurred_at)], ["Received", when(r.received_at)],
  ];
  const back = h("button", { type: "button", class: "secondary", id: "detail-back" }, "Back to the list");
  back.addEventListener("click", () => {
    detail.replaceChildren();
    list.hidden = false;
    list.querySelector("#calls-table button")?.focus();
  });
  const heading = h("h2", { tabindex: "-1", text: `Call ${r.call_id}` });
  // replaceChildren, unlike h, writes a null child as the text "null".
  const error = r.error_code || r.error_message
    ? [h("div", { class: "notice error", id: "detail-error" },
      h("strong", { text: `Error ${r.error_code ?? ""}`.trim() + ": " }), r.error_message ?? "(no message)")]
    : [];
  detail.replaceChildren(
    heading,
    ...error,
    h("dl", { class: "fields" }, fields.map(([k, v]) => h("div", {}, h("dt", { text: k }), h("dd", { text: v })))),
    h("h3", { text: "Metadata" }),
    h("pre", { class: "code", id: "detail-metadata", tabindex: "0", text: JSON.stringify(r.metadata, null, 2) }),
    back);
  list.hidden = true;
  heading.focus();
}
