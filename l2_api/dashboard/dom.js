// Small DOM and formatting helpers. Everything the API sends reaches the
// page as text nodes (textContent), never as HTML.

/**
 * h builds an element. attrs: "class", "text" (textContent), "on<event>"
 * handlers, "dataset" (an object), boolean attributes as true/false, and
 * any other attribute as a string. children: nodes or strings (as text).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    // An input's value attribute is also what a form reset returns it to.
    else if (k === "value" && el instanceof HTMLSelectElement) el.value = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const integer = new Intl.NumberFormat("en-US");

/** num formats a count: 12,345. */
export function num(n) {
  return n === null || n === undefined ? "—" : integer.format(n);
}

/** dollars formats whole cents as dollars with cents, from integers so no float rounding: $1,234.05. */
export function dollars(cents) {
  if (cents === null || cents === undefined) return "—";
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}$${integer.format(Math.floor(abs / 100))}.${String(abs % 100).padStart(2, "0")}`;
}

/** share is part/whole as a percentage with one decimal, "—" when whole is 0. */
export function share(part, whole) {
  return whole > 0 ? `${((part * 100) / whole).toFixed(1)}%` : "—";
}

/** ms formats a latency in milliseconds, "—" when there is none. */
export function ms(v) {
  return v === null || v === undefined ? "—" : `${integer.format(v)} ms`;
}

/** when formats an RFC 3339 instant as UTC, to the second. */
export function when(ts) {
  if (!ts) return "—";
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? ts : d.toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

/** utcDay is the YYYY-MM-DD of a Date in UTC (the API's days are UTC days). */
export function utcDay(d) {
  return d.toISOString().slice(0, 10);
}

/** addDays moves a YYYY-MM-DD day by n days. */
export function addDays(day, n) {
  const d = new Date(day + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + n);
  return utcDay(d);
}

/**
 * tableWrap is the scrollable box around a table: narrow screens scroll it,
 * not the page. It takes the keyboard focus and is a named region, so that
 * a keyboard user can scroll it too (WCAG 2.1.1) and a screen reader says
 * what it is.
 */
function tableWrap(caption) {
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption });
}

/** table builds a table inside a scrollable wrapper; id, when given, is the table's. */
export function table(caption, head, rows, id) {
  const wrap = tableWrap(caption);
  wrap.append(h("table", { id },
    h("caption", { text: caption }),
    h("thead", {}, h("tr", {}, head.map((c) => (c instanceof Node ? c : h("th", { scope: "col", text: c }))))),
    h("tbody", {}, rows)));
  return wrap;
}

/** copyButton copies text to the clipboard and says so; the text itself stays selectable beside it. */
export function copyButton(label, text) {
  const btn = h("button", { type: "button", class: "secondary" }, label);
  btn.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text());
      btn.textContent = "Copied";
    } catch {
      btn.textContent = "Copy failed: select the text and copy it";
    }
  });
  return btn;
}

/**
 * failure renders an API error for a page. A 403 FORBIDDEN names the scope
 * the page needs, since that is what an API key's owner can fix; anything
 * else shows the server's message as it is.
 */
export function failure(err, scope) {
  if (err.status === 403 && err.code === "FORBIDDEN" && scope) {
    return h("div", { class: "notice error", role: "alert" },
      h("p", { class: "scope-missing" }, "This page needs the scope ", h("code", { text: scope }),
        ", which this credential does not have."),
      h("p", { class: "hint", text: `Create an API key with ${scope} (or sign in with a customer token). The server said: ${err.message}` }));
  }
  return h("p", { class: "error", role: "alert", text: err.message });
}

/**
 * rangeForm is the date-range picker of the telemetry pages: two UTC days,
 * inclusive, sent as start_date and end_date. onApply gets the new range
 * once it is valid.
 */
export function rangeForm(range, onApply) {
  const start = h("input", { type: "date", id: "range-start", name: "start_date", value: range.start, required: true });
  const end = h("input", { type: "date", id: "range-end", name: "end_date", value: range.end, required: true });
  const msg = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "range", "aria-label": "Date range (UTC days, inclusive)" },
    h("div", { class: "field" }, h("label", { for: "range-start", text: "From" }), start),
    h("div", { class: "field" }, h("label", { for: "range-end", text: "To" }), end),
    h("button", { type: "submit", id: "range-apply" }, "Apply"),
    msg);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!start.value || !end.value) {
      msg.textContent = "Choose both days.";
    } else if (start.value > end.value) {
      msg.textContent = "The first day must not be after the last.";
    } else {
      onApply({ start: start.value, end: end.value });
    }
  });
  return form;
}

/**
 * sortableTable renders rows under column headers that sort them. Each
 * column is {label, text(row), sort(row)}; sort values are numbers or
 * strings. The header buttons are real buttons, so the keyboard sorts too.
 */
export function sortableTable(id, caption, columns, rows, initial) {
  let by = initial.column;
  let dir = initial.dir;
  const wrap = tableWrap(caption);
  const draw = () => {
    const sorted = [...rows].sort((a, b) => {
      const x = columns[by].sort(a);
      const y = columns[by].sort(b);
      const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return dir === "asc" ? c : -c;
    });
    const head = columns.map((col, i) => {
      const state = i === by ? (dir === "asc" ? "ascending" : "descending") : "none";
      const btn = h("button", { type: "button", class: "sort", "aria-label": `Sort by ${col.label}` },
        col.label, h("span", { "aria-hidden": "true", text: i === by ? (dir === "asc" ? " ▲" : " ▼") : "" }));
      btn.addEventListener("click", () => {
        if (by === i) dir = dir === "asc" ? "desc" : "asc";
        else { by = i; dir = col.numeric ? "desc" : "asc"; }
        draw();
        wrap.querySelector(`th:nth-child(${i + 1}) button`).focus();
      });
      return h("th", { scope: "col", "aria-sort": state, class: col.numeric ? "num" : "" }, btn);
    });
    const body = sorted.map((r) => h("tr", {}, columns.map((col) => h("td", { class: col.numeric ? "num" : "", text: col.text(r) }))));
    wrap.replaceChildren(h("table", { id }, h("caption", { text: caption }), h("thead", {}, h("tr", {}, head)), h("tbody", {}, body)));
  };
  draw();
  return wrap;
}

/**
 * firstRecordHelp is the empty state of a tenant that has sent nothing yet:
 * the request an SDK makes, ready to paste, with this tenant's ids in the
 * key. The secret part of the key is shown only when the integration is
 * created (Integrations page), so it stays a placeholder here.
 */
export function firstRecordHelp(tenantID, integrationID) {
  const key = `${tenantID || "<tenant_id>"}:${integrationID || "<integration_id>"}:<secret shown once at creation>`;
  const cmd = [
    `KEY='${key}'`,
    `curl -X POST "${location.origin}/api/v1/telemetry/llm-usage" \\`,
    `  -H "X-CUS-Integration-Key: $KEY" -H 'Content-Type: application/json' \\`,
    `  -d '{"call_id": "call-0123456789abcdef", "provider": "openai", "model": "gpt-4o",`,
    `       "tokens_in": 812, "tokens_out": 96, "cost_cents": 1}'`,
  ].join("\n");
  return h("div", { class: "notice empty", id: "first-record" },
    h("h2", { text: "No telemetry yet" }),
    h("p", { text: integrationID
      ? "Send your first LLM call's record the way the SDKs do. Put the integration key you were shown when you created the integration in KEY:"
      : "Create an integration on the Integrations page (its key is shown once), then send your first record the way the SDKs do:" }),
    h("pre", { class: "code", id: "first-record-curl", tabindex: "0", text: cmd }),
    copyButton("Copy command", () => cmd));
}
