// Integrations: the tenant's provider integrations, each with its limits
// and month-to-date use; create one, enable or disable it, rotate its key,
// change its limits. A new key is shown once, here, and kept nowhere. A
// credential without integrations:write is not offered what it may not do.

import { call } from "./api.js";
import { h, num, dollars, when, failure, copyButton } from "./dom.js";

export const title = "Integrations";

const providers = ["openai", "anthropic", "azure_openai", "bedrock", "google", "mistral", "cohere", "groq", "deepseek",
  "xai", "together", "fireworks", "custom"];

export async function render(root, ctx) {
  const keySlot = h("div", { id: "key-slot" });
  const list = h("div", { id: "integrations-list", class: "loading", text: "Loading…" });
  const writable = ctx.can("integrations:write");
  const reload = () => load(list, keySlot, reload, writable);
  root.append(
    h("h1", { tabindex: "-1", text: "Integrations" }),
    keySlot,
    writable
      ? createForm(keySlot, reload)
      : h("p", { class: "hint", id: "integrations-read-only" }, "This credential can read integrations but not change them: creating, enabling, rotating keys and editing limits need the scope ",
        h("code", { text: "integrations:write" }), "."),
    h("h2", { text: "Your integrations" }),
    list);
  await reload();
}

async function load(list, keySlot, reload, writable) {
  let data;
  try {
    ({ data } = await call("GET", "/api/v1/integrations", { query: { limit: 100 } }));
  } catch (err) {
    list.className = "";
    list.replaceChildren(failure(err, "integrations:read"));
    return;
  }
  list.className = "cards";
  if (data.length === 0) {
    list.replaceChildren(h("p", { class: "empty-note", id: "integrations-empty",
      text: writable
        ? "No integrations yet. Create one above: its key is what an SDK sends as X-CUS-Integration-Key."
        : "No integrations yet." }));
    return;
  }
  // The page is ready once every card shows its gauges.
  const gauges = [];
  list.replaceChildren(...data.map((i) => card(i, keySlot, reload, gauges, writable)));
  await Promise.all(gauges);
}

/** oneTimeKey shows a key the server will never show again, with a copy button, until it is dismissed. */
function oneTimeKey(slot, heading, key) {
  const input = h("input", { id: "new-key", type: "text", readonly: true, value: key, spellcheck: "false",
    "aria-label": "The key (shown once)", onfocus: (e) => e.target.select() });
  const done = h("button", { type: "button", class: "secondary", id: "new-key-done" }, "I have saved it");
  done.addEventListener("click", () => slot.replaceChildren());
  slot.replaceChildren(h("div", { class: "notice key", role: "alert" },
    h("p", {}, h("strong", { text: heading }), " Copy it now: it is shown only once and cannot be read back."),
    h("div", { class: "key-row" }, input, copyButton("Copy key", () => key), done)));
  input.focus();
}

function createForm(keySlot, reload) {
  const field = (id, label, input, hint) => h("div", { class: "field" },
    h("label", { for: id, text: label }), input, hint ? h("span", { class: "hint", text: hint }) : null);
  const name = h("input", { id: "new-name", name: "name", required: true, maxlength: "100", autocomplete: "off" });
  const provider = h("select", { id: "new-provider", name: "provider_type" }, providers.map((p) => h("option", { value: p, text: p })));
  const model = h("input", { id: "new-model", name: "default_model", maxlength: "100", autocomplete: "off" });
  const limits = limitInputs("new", { budget_limit_cents: 0, token_limit_month: 0, rate_limit_rpm: 0 });
  const msg = h("p", { class: "error", role: "alert" });
  const form = h("form", { id: "create-integration", class: "panel-form" },
    h("h2", { text: "Create an integration" }),
    h("div", { class: "grid" },
      field("new-name", "Name", name, "Unique within the tenant"),
      field("new-provider", "Provider", provider),
      field("new-model", "Default model (optional)", model),
      limits.fields),
    h("button", { type: "submit", id: "create-submit" }, "Create integration"),
    msg);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    msg.replaceChildren();
    const values = limits.read();
    if (!name.value.trim()) return void (msg.textContent = "Give the integration a name.");
    if (typeof values === "string") return void (msg.textContent = values);
    const body = { name: name.value.trim(), provider_type: provider.value, ...values };
    if (model.value.trim()) body.default_model = model.value.trim();
    try {
      const { data } = await call("POST", "/api/v1/integrations", { body });
      form.reset();
      oneTimeKey(keySlot, `Integration “${data.integration.name}” created. Its key:`, data.key);
      await reload();
    } catch (err) {
      msg.replaceChildren(failure(err, "integrations:write"));
    }
  });
  return form;
}

/**
 * limitInputs are the three limit fields; read returns the body fields or a
 * message saying what is wrong. The budget is entered in dollars, as people
 * think of it, and sent as the API's whole cents.
 */
function limitInputs(prefix, current) {
  const whole = (label) => (text) => {
    const v = text === "" ? 0 : Number(text);
    return Number.isSafeInteger(v) && v >= 0 ? v : `${label} must be a whole number, 0 or more.`;
  };
  const spec = [
    { key: "budget_limit_cents", id: "budget_usd", label: "Monthly budget (USD)", step: "0.01", inputmode: "decimal",
      shown: dollarsInput(current.budget_limit_cents), parse: centsOf },
    { key: "token_limit_month", id: "token_limit_month", label: "Monthly tokens (in + out)", step: "1", inputmode: "numeric",
      shown: String(current.token_limit_month), parse: whole("Monthly tokens") },
    { key: "rate_limit_rpm", id: "rate_limit_rpm", label: "Calls per minute", step: "1", inputmode: "numeric", max: "1000000",
      shown: String(current.rate_limit_rpm), parse: whole("Calls per minute") },
  ];
  const inputs = spec.map((f) => {
    const id = `${prefix}-${f.id}`;
    const input = h("input", { id, name: f.id, type: "number", min: "0", step: f.step, max: f.max, inputmode: f.inputmode, value: f.shown });
    return { ...f, input, field: h("div", { class: "field" }, h("label", { for: id, text: f.label }), input,
      h("span", { class: "hint", text: "0 is unlimited" })) };
  });
  return {
    fields: inputs.map((i) => i.field),
    read() {
      const out = {};
      for (const { key, label, input, parse } of inputs) {
        // A number input holds "" for what it cannot read as a number.
        if (input.validity.badInput) return `${label} must be a number.`;
        const v = parse(input.value.trim());
        if (typeof v === "string") return v;
        out[key] = v;
      }
      return out;
    },
  };
}

/** dollarsInput is whole cents as an input's value in dollars: 2500 → "25.00", 0 → "0". */
function dollarsInput(cents) {
  return cents ? `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}` : "0";
}

/** centsOf reads dollars with at most two decimals as whole cents, from the digits so that no float rounds them. */
function centsOf(text) {
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(text === "" ? "0" : text);
  const cents = m ? Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0")) : NaN;
  return Number.isSafeInteger(cents) ? cents : "Monthly budget must be an amount in dollars, 0 or more, with at most two decimals (cents).";
}

function card(i, keySlot, reload, pending, writable) {
  const panel = h("div", { class: "card-panel" });
  const gauges = h("div", { class: "gauges", "aria-live": "polite", text: "Loading limits…" });
  const enabled = i.status === "enabled";
  const act = async (fn) => {
    panel.replaceChildren();
    try {
      await fn();
    } catch (err) {
      panel.replaceChildren(failure(err, "integrations:write"));
    }
  };
  const toggle = h("button", { type: "button", class: "secondary", dataset: { action: enabled ? "disable" : "enable" } },
    enabled ? "Disable" : "Enable");
  toggle.addEventListener("click", () => act(async () => {
    await call("POST", `/api/v1/integrations/${encodeURIComponent(i.id)}/${enabled ? "disable" : "enable"}`);
    await reload();
  }));
  const rotate = h("button", { type: "button", class: "secondary", dataset: { action: "rotate" } }, "Rotate key");
  rotate.addEventListener("click", () => {
    const yes = h("button", { type: "button", class: "danger", dataset: { action: "rotate-confirm" } }, "Rotate and revoke the old keys");
    const no = h("button", { type: "button", class: "secondary" }, "Cancel");
    no.addEventListener("click", () => { panel.replaceChildren(); rotate.focus(); });
    yes.addEventListener("click", () => act(async () => {
      const { data } = await call("POST", `/api/v1/integrations/${encodeURIComponent(i.id)}/keys`, { body: { revoke_existing: true } });
      oneTimeKey(keySlot, `New key for “${i.name}” (${num(data.revoked_keys)} old key(s) revoked):`, data.key);
    }));
    panel.replaceChildren(h("div", { class: "notice warn" },
      h("p", { text: "A new key is made and every existing key of this integration stops working at once (within seconds on every replica). SDKs using the old key must be given the new one." }),
      h("div", { class: "actions" }, yes, no)));
    yes.focus();
  });
  const edit = h("button", { type: "button", class: "secondary", dataset: { action: "edit-limits" } }, "Edit limits");
  edit.addEventListener("click", () => {
    const limits = limitInputs(`edit-${i.id}`, i);
    const msg = h("p", { class: "error", role: "alert" });
    const form = h("form", { class: "panel-form", dataset: { form: "limits" } },
      h("div", { class: "grid" }, limits.fields),
      h("div", { class: "actions" },
        h("button", { type: "submit", dataset: { action: "save-limits" } }, "Save limits"),
        h("button", { type: "button", class: "secondary", onclick: () => { panel.replaceChildren(); edit.focus(); } }, "Cancel")),
      msg);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const values = limits.read();
      if (typeof values === "string") return void (msg.textContent = values);
      try {
        await call("PATCH", `/api/v1/integrations/${encodeURIComponent(i.id)}`, { body: values });
        await reload();
      } catch (err) {
        msg.replaceChildren(failure(err, "integrations:write"));
      }
    });
    panel.replaceChildren(form);
    form.querySelector("input").focus();
  });
  const el = h("article", { class: "card", dataset: { id: i.id, name: i.name } },
    h("header", {}, h("h3", { text: i.name }), h("span", { class: `badge ${enabled ? "ok" : "off"}`, text: i.status })),
    h("dl", { class: "fields" },
      h("div", {}, h("dt", { text: "Id" }), h("dd", {}, h("code", { text: i.id }))),
      h("div", {}, h("dt", { text: "Provider" }), h("dd", { text: i.provider_type })),
      h("div", {}, h("dt", { text: "Default model" }), h("dd", { text: i.default_model ?? "—" })),
      h("div", {}, h("dt", { text: "Created" }), h("dd", { text: when(i.created_at) }))),
    gauges,
    writable ? h("div", { class: "actions" }, toggle, rotate, edit) : null,
    panel);
  pending.push(loadGauges(gauges, i.id));
  return el;
}

/** loadGauges shows the month-to-date use against each limit, from the limits endpoint. */
async function loadGauges(el, id) {
  let l;
  try {
    ({ data: l } = await call("GET", `/api/v1/integrations/${encodeURIComponent(id)}/limits`));
  } catch (err) {
    el.replaceChildren(failure(err, "integrations:read"));
    return;
  }
  const gauge = (key, label, used, limit, percent) => h("div", { class: "gauge", dataset: { gauge: key } },
    h("div", { class: "gauge-label" },
      h("span", { text: label }),
      h("span", { class: "gauge-value", text: limit === "" ? `${used} · no limit` : `${used} of ${limit} · ${percent.toFixed(2)}%` })),
    h("meter", { min: "0", max: "100", low: "75", high: "90", optimum: "0", value: String(Math.min(percent, 100)),
      "aria-label": `${label}: ${percent.toFixed(2)}% of the limit` }));
  el.replaceChildren(
    h("p", { class: "hint", text: `Month to date, ${l.period_start} to ${l.period_end} (UTC)` }),
    gauge("budget", "Budget", dollars(l.budget_used_cents), l.budget_limit_cents ? dollars(l.budget_limit_cents) : "", l.budget_percent),
    gauge("tokens", "Tokens", num(l.tokens_used_month), l.token_limit_month ? num(l.token_limit_month) : "", l.token_percent),
    gauge("rate", "Rate (last minute)", `${num(l.current_rpm)}/min`, l.rate_limit_rpm ? `${num(l.rate_limit_rpm)}/min` : "", l.rate_percent));
}
