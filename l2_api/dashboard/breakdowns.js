// Breakdowns: the range's usage by integration and by model, from
// usage-summary, each with its share of the range's cost.

import { call } from "./api.js";
import { h, num, dollars, share, failure, rangeForm, firstRecordHelp, sortableTable } from "./dom.js";

export const title = "Breakdowns";

export async function render(root, ctx) {
  const out = h("div", { class: "loading", text: "Loading…" });
  root.append(
    h("h1", { tabindex: "-1", text: "Breakdowns" }),
    rangeForm(ctx.range, (r) => { ctx.range = r; ctx.rerender(); }),
    out);
  let s;
  try {
    ({ data: s } = await call("GET", "/api/v1/telemetry/usage-summary", {
      query: { start_date: ctx.range.start, end_date: ctx.range.end },
    }));
  } catch (err) {
    out.className = "";
    out.replaceChildren(failure(err, "telemetry:read"));
    return;
  }
  out.className = "";
  const total = s.total_cost_cents;
  const byIntegration = s.by_integration || [];
  const byModel = s.by_model || [];
  const costShare = (r) => share(r.total_cost_cents, total);
  const children = [
    h("p", { class: "period", text: `${s.period_start} to ${s.period_end} (UTC days, inclusive) · total cost ${dollars(total)}` }),
    h("h2", { text: "By integration" }),
  ];
  if (byIntegration.length === 0) {
    children.push(h("p", { class: "empty-note", text: "No usage in this range." }));
  } else {
    children.push(sortableTableOf("by-integration", "Usage by integration", [
      // A deleted integration keeps its usage but loses its name.
      { label: "Integration", text: (r) => r.integration_name || `(deleted) ${r.integration_id}`, sort: (r) => r.integration_name || r.integration_id },
      { label: "Provider", text: (r) => r.provider_type, sort: (r) => r.provider_type },
      { label: "Calls", numeric: true, text: (r) => num(r.total_calls), sort: (r) => r.total_calls },
      { label: "Tokens", numeric: true, text: (r) => num(r.total_tokens), sort: (r) => r.total_tokens },
      { label: "Cost", numeric: true, text: (r) => dollars(r.total_cost_cents), sort: (r) => r.total_cost_cents },
      { label: "Share of cost", numeric: true, text: costShare, sort: (r) => r.total_cost_cents },
      { label: "Errors", numeric: true, text: (r) => num(r.error_count), sort: (r) => r.error_count },
      { label: "Blocked", numeric: true, text: (r) => num(r.blocked_count), sort: (r) => r.blocked_count },
    ], byIntegration, 4));
  }
  children.push(h("h2", { text: "By model" }));
  if (byModel.length === 0) {
    children.push(h("p", { class: "empty-note", text: "No usage in this range." }));
  } else {
    children.push(sortableTableOf("by-model", "Usage by model", [
      { label: "Provider", text: (r) => r.provider, sort: (r) => r.provider },
      { label: "Model", text: (r) => r.model, sort: (r) => r.model },
      { label: "Calls", numeric: true, text: (r) => num(r.total_calls), sort: (r) => r.total_calls },
      { label: "Tokens in", numeric: true, text: (r) => num(r.total_tokens_in), sort: (r) => r.total_tokens_in },
      { label: "Tokens out", numeric: true, text: (r) => num(r.total_tokens_out), sort: (r) => r.total_tokens_out },
      { label: "Cost", numeric: true, text: (r) => dollars(r.total_cost_cents), sort: (r) => r.total_cost_cents },
      { label: "Share of cost", numeric: true, text: costShare, sort: (r) => r.total_cost_cents },
    ], byModel, 5));
  }
  if (s.total_calls === 0) children.push(firstRecordHelp(ctx.session.tenant_id, await ctx.firstIntegrationID()));
  out.replaceChildren(...children);
}

// Most expensive first: that is what a breakdown is usually opened for.
function sortableTableOf(id, caption, columns, rows, costColumn) {
  return sortableTable(id, caption, columns, rows, { column: costColumn, dir: "desc" });
}
