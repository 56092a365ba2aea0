// The dashboard's shell: sign-in, the session header and banners, and the
// hash router that renders one page at a time into #view.

import { call, credential, saveCredential, forgetCredential } from "./api.js";
import { h, utcDay, addDays } from "./dom.js";
import * as overview from "./overview.js";
import * as breakdowns from "./breakdowns.js";
import * as calls from "./calls.js";
import * as integrations from "./integrations.js";
import * as protection from "./protection.js";

const pages = { overview, breakdowns, calls, integrations, protection };
const $ = (id) => document.getElementById(id);

/** ctx is what every page may use: the session, the chosen range, and the router. */
const ctx = {
  session: null,
  // The API's default: the 30 UTC days ending today.
  range: { start: addDays(utcDay(new Date()), -29), end: utcDay(new Date()) },
  rerender: () => route(),
  /**
   * can tells whether the session may do what scope allows, by the API's
   * own rule: a customer may do everything in their tenant, a key what its
   * scopes grant ("*", the scope itself, or a "telemetry:*" wildcard).
   */
  can(scope) {
    const s = this.session;
    if (!s) return false;
    if (s.actor_type === "customer") return true;
    return s.capabilities.some((c) => c === "*" || c === scope ||
      (c.endsWith(":*") && scope.startsWith(c.slice(0, -1))));
  },
  /** The id of the tenant's first integration, for the empty states; null when there is none or it may not be read. */
  async firstIntegrationID() {
    try {
      const { data } = await call("GET", "/api/v1/integrations", { query: { limit: 1 } });
      return data.length ? data[0].id : null;
    } catch {
      return null;
    }
  },
};

function showSignIn(message = "") {
  ctx.session = null;
  shownPage = "";
  $("nav").hidden = $("signout").hidden = $("session").hidden = true;
  $("view").hidden = true;
  $("view").replaceChildren();
  $("banners").replaceChildren();
  $("signin").hidden = false;
  $("signin-error").textContent = message;
  document.title = "Sign in · hoc dashboard";
  $("credential").focus();
}

function applySession(s) {
  ctx.session = s;
  // The name is what a person recognises; the id stays a hover away.
  $("session-tenant").textContent = s.tenant_name ?? s.tenant_id;
  $("session-tenant").title = s.tenant_id;
  $("session-actor").textContent = s.actor_type;
  $("session-lifecycle").textContent = s.lifecycle_state ?? "—";
  $("session-onboarding").textContent = s.onboarding_state ?? "— (customers only)";
  $("signin").hidden = true;
  $("nav").hidden = $("signout").hidden = $("session").hidden = false;
  $("view").hidden = false;

  const banners = [];
  if (s.lifecycle_state === "SUSPENDED") {
    banners.push(h("div", { class: "banner warn", role: "alert", id: "banner-lifecycle" },
      h("strong", { text: "This tenant is SUSPENDED. " }),
      "Its figures can be read, but changes and new telemetry are refused (403 TENANT_SUSPENDED) until it is resumed."));
  } else if (s.lifecycle_state && s.lifecycle_state !== "ACTIVE") {
    banners.push(h("div", { class: "banner danger", role: "alert", id: "banner-lifecycle" },
      h("strong", { text: `This tenant is ${s.lifecycle_state}. ` }),
      "Every request but the session context is refused."));
  }
  if (s.onboarding_state && s.onboarding_state !== "COMPLETE") {
    banners.push(h("div", { class: "banner info", role: "status", id: "banner-onboarding" },
      h("strong", { text: `Onboarding: ${s.onboarding_state}. ` }),
      "It completes once the tenant has an enabled integration with a live key and has sent telemetry: the Overview page shows how to send the first record."));
  }
  $("banners").replaceChildren(...banners);
}

/** loadSession asks who a credential is; it throws the server's refusal, or when the credential has no tenant. */
async function loadSession(secret) {
  const { data } = await call("GET", "/api/v1/session/context", { as: secret });
  if (!data.tenant_id) {
    throw new Error("This dashboard shows one tenant's figures; this credential belongs to no tenant (a founder token?).");
  }
  return data;
}

let generation = 0;
let shownPage = "";

async function route() {
  if (!ctx.session) return;
  const [, asked] = /^#\/([a-z]+)/.exec(location.hash) || [];
  const name = Object.hasOwn(pages, asked ?? "") ? asked : "overview";
  const page = pages[name];
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.getAttribute("href") === `#/${name}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.title = `${page.title} · hoc dashboard`;
  // Each visit renders into a fresh container: an answer that arrives
  // after the user moved on lands in a detached node, never on the new page.
  const mine = ++generation;
  const focused = document.activeElement?.id;
  const container = h("div", { class: "page", id: `page-${name}` });
  $("view").replaceChildren(container);
  try {
    await page.render(container, ctx);
  } catch (err) {
    if (mine === generation) container.append(h("p", { class: "error", role: "alert", text: err.message }));
  }
  if (mine !== generation) return;
  container.dataset.ready = "true";
  // A new page takes the focus to its heading, so that keyboard and screen
  // reader users start there; a page drawn again (a filter, a range, the
  // next page) gives it back to the control the user was on.
  const again = focused && name === shownPage && document.getElementById(focused);
  (again || container.querySelector("h1"))?.focus();
  shownPage = name;
}

async function signIn(e) {
  e.preventDefault();
  const input = $("credential");
  const value = input.value.trim();
  if (!value) {
    $("signin-error").textContent = "Paste a customer token or an API key.";
    return;
  }
  $("signin-error").textContent = "Signing in…";
  try {
    const s = await loadSession(value);
    saveCredential(value);
    input.value = "";
    $("signin-error").textContent = "";
    applySession(s);
    if (!/^#\/[a-z]+/.test(location.hash)) location.hash = "#/overview";
    else route();
  } catch (err) {
    $("signin-error").textContent = err.message;
  }
}

function signOut() {
  forgetCredential();
  showSignIn("Signed out.");
}

async function start() {
  $("signin-form").addEventListener("submit", signIn);
  $("signout").addEventListener("click", signOut);
  window.addEventListener("hashchange", route);
  window.addEventListener("hoc:unauthorized", (e) => {
    forgetCredential();
    showSignIn(`Please sign in again: ${e.detail.message}`);
  });
  const saved = credential();
  if (!saved) {
    showSignIn();
    return;
  }
  try {
    applySession(await loadSession(saved));
    route();
  } catch (err) {
    forgetCredential();
    showSignIn(err.message);
  }
}

start();
