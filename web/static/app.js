// Astara's console: one page that reads the JSON API of the node that
// served it, signed in with a session cookie. Plain JavaScript with the
// DOM's own functions, no build step, no library. Everything the server
// sends is put on the page as text (textContent) or as SVG attributes,
// never as HTML. Amounts stay the API's exact decimal strings: they are
// grouped for reading, added up as BigInt minor units where the page must
// add, and turned into Numbers only to size a bar.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);

  // --- building the page -------------------------------------------------

  // el makes an element. attrs: text, class, hidden (true hides), on<event>
  // listeners, anything else an attribute (false and null leave it out).
  // Children that are strings become text nodes; null and false are skipped.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k === "class") e.className = v;
      else if (k === "hidden") e.hidden = true;
      else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c !== null && c !== undefined && c !== false) e.append(c);
    }
    return e;
  }
  const SVGNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) e.setAttribute(k, String(v));
    }
    for (const c of children.flat()) {
      if (c !== null && c !== undefined && c !== false) e.append(c);
    }
    return e;
  }
  function cell(text, cls) { return el("td", { class: cls, text: text }); }
  // count writes a number of things: "1 payment", "3 payments".
  function count(n, one, many) { return groupDigits(String(n)) + " " + (n === 1 ? one : many || one + "s"); }
  // put replaces an element's children; null and false are left out.
  function put(parent, ...children) {
    parent.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  }
  function fill(tbody, rows) {
    tbody.replaceChildren(...rows.map((cells) => (cells instanceof HTMLElement ? cells : el("tr", null, ...cells))));
  }
  // say writes a message, with a class (ok, bad, warn, muted) and an
  // optional list under it.
  function say(box, text, cls, items) {
    box.replaceChildren();
    box.classList.remove("ok", "bad", "warn", "muted");
    box.classList.add("message");
    if (cls) box.classList.add(...cls.split(" "));
    if (text) box.append(...[].concat(text));
    if (items && items.length) box.append(el("ul", null, ...items.map((w) => el("li", { text: w }))));
  }
  function swatch(color) { return svg("svg", { viewBox: "0 0 10 10", "aria-hidden": "true" }, svg("rect", { width: 10, height: 10, rx: 2, fill: color })); }

  // --- money: exact decimal strings ---------------------------------------

  // groupDigits puts thousands separators in an exact decimal string
  // ("2550117500.00" → "2,550,117,500.00"). The API writes each amount
  // with its currency's minor digits; the string is never turned into a
  // float.
  function groupDigits(s) {
    const m = /^([-+]?)(\d+)(\.\d+)?$/.exec(String(s));
    if (!m) return String(s);
    return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (m[3] || "");
  }
  function money(amount, currency) {
    if (amount === undefined || amount === null || amount === "") return "–";
    return groupDigits(amount) + (currency ? " " + currency : "");
  }
  function amount(a) { return a && a.amount ? money(a.amount, a.currency) : "–"; }
  // minor reads an exact decimal ("-123.45") as BigInt minor units and
  // the number of its fraction digits.
  function minor(s) {
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(s));
    if (!m) return null;
    const v = BigInt(m[2] + (m[3] || ""));
    return { v: m[1] ? -v : v, d: (m[3] || "").length };
  }
  function scaled(x, d) { return x.v * 10n ** BigInt(d - x.d); }
  function formatMinor(v, d) {
    const negative = v < 0n;
    let s = (negative ? -v : v).toString();
    if (d > 0) {
      s = s.padStart(d + 1, "0");
      s = s.slice(0, -d) + "." + s.slice(-d);
    }
    return (negative ? "-" : "") + s;
  }
  // addAmounts adds exact decimals of one currency.
  function addAmounts(...xs) {
    const ms = xs.map(minor);
    if (ms.some((x) => !x)) return "";
    const d = Math.max(...ms.map((x) => x.d));
    return formatMinor(ms.reduce((sum, x) => sum + scaled(x, d), 0n), d);
  }
  // percentOf writes a four-digit ratio ("0.2500") as a percentage.
  function percentOf(ratio) {
    const x = minor(ratio);
    if (!x || x.d < 2) return String(ratio);
    return formatMinor(x.v, x.d - 2) + " %";
  }
  // chartValue is an amount as a Number, for the height of a bar only.
  function chartValue(s) { const n = Number(s); return isFinite(n) ? n : 0; }

  // --- time: UTC, and the banks' own ---------------------------------------

  const countryZones = { RU: "Europe/Moscow", IR: "Asia/Tehran", IN: "Asia/Kolkata", AZ: "Asia/Baku" };
  const zoneFormats = new Map();
  function parseTime(s) {
    if (!s) return null;
    const d = new Date(String(s).replace(/(\.\d{3})\d+/, "$1"));
    return isNaN(d) ? null : d;
  }
  // utc shows an RFC 3339 time in UTC, to the second.
  function utc(s) {
    const d = parseTime(s);
    if (!d) return s ? String(s) : "–";
    return d.toISOString().slice(0, 19).replace("T", " ") + " UTC";
  }
  function hhmm(d) { return d.toISOString().slice(11, 16); }
  // zoneOf is a country's time zone: its calendar's, else the one the page
  // knows.
  function zoneOf(country) {
    const c = calendarsCache && calendarsCache.countries.find((x) => x.country === country);
    return (c && c.time_zone) || countryZones[country] || "";
  }
  // local shows a time in a country's zone: "7 Dec, 06:26 Moscow".
  function local(s, country) {
    const zone = zoneOf(country);
    const d = parseTime(s);
    if (!zone || !d) return "";
    let f = zoneFormats.get(zone);
    if (!f) {
      f = new Intl.DateTimeFormat("en-GB", { timeZone: zone, day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
      zoneFormats.set(zone, f);
    }
    return f.format(d) + " " + zone.split("/").pop().replace(/_/g, " ");
  }
  // when is a time in UTC, with each country's local time under it.
  function when(s, ...countries) {
    const out = [el("span", { class: "utc", text: utc(s) })];
    const zones = new Set();
    for (const c of countries) {
      const z = zoneOf(c);
      if (!z || zones.has(z)) continue;
      zones.add(z);
      out.push(el("span", { class: "sub local", text: local(s, c) }));
    }
    return out;
  }
  function whenCell(s, ...countries) { return el("td", { class: "l when" }, ...when(s, ...countries)); }
  function age(s) {
    const d = parseTime(s);
    if (!d) return "–";
    const secs = Math.max(0, Math.round((Date.now() - d.getTime()) / 1000));
    if (secs < 60) return secs + " s";
    if (secs < 3600) return Math.floor(secs / 60) + " min";
    if (secs < 86400) return Math.floor(secs / 3600) + " h " + Math.floor((secs % 3600) / 60) + " min";
    return Math.floor(secs / 86400) + " d " + Math.floor((secs % 86400) / 3600) + " h";
  }
  // duration writes a number of seconds for reading: "1 d", "5 min".
  function duration(secs) {
    const units = [[86400, "d"], [3600, "h"], [60, "min"], [1, "s"]];
    const parts = [];
    for (const [n, name] of units) {
      if (secs >= n && parts.length < 2) { parts.push(Math.floor(secs / n) + " " + name); secs %= n; }
    }
    return parts.join(" ") || "0 s";
  }
  // limitText is a limit, or "none" for zero, which sets none.
  function limitText(a, currency) {
    const x = minor(a);
    return !a || (x && x.v === 0n) ? "none" : money(a, currency);
  }
  function ageSeconds(s) { const d = parseTime(s); return d ? (Date.now() - d.getTime()) / 1000 : 0; }
  // currencyCountry is the country of a currency: its code's first two
  // letters, as ISO 4217 makes them.
  function currencyCountry(code) { return String(code || "").slice(0, 2); }

  // --- the API -------------------------------------------------------------

  let me = null; // the signed-in session: role, participant, name, csrf_token, ...

  // Refusal is an answer other than 2xx, with its problem document.
  class Refusal extends Error {
    constructor(status, data) {
      super(problemText(status, data));
      this.status = status;
      this.data = data || {};
    }
  }
  function problemText(status, d) {
    d = d || {};
    if (d.detail) return d.detail + (d.field ? " (" + d.field + ")" : "");
    return (d.title || "the server answered") + " " + status;
  }
  async function readBody(r) {
    if (!(r.headers.get("Content-Type") || "").includes("json")) return null;
    try { return await r.json(); } catch (err) { return null; }
  }
  // api reads a route; a 401 means the session ended.
  async function api(path) {
    if (!me) throw new Refusal(0, { detail: "signed out" });
    const r = await fetch(path, { headers: { Accept: "application/json" } });
    const data = await readBody(r);
    if (r.status === 401) {
      sessionEnded(problemText(401, data));
      throw new Refusal(401, data);
    }
    if (!r.ok) throw new Refusal(r.status, data);
    return data;
  }
  // send makes a request that changes something, with the session's CSRF
  // token, and returns the status and the JSON it answers; it does not
  // throw on a refusal.
  async function send(method, path, body, type) {
    const headers = { Accept: "application/json", "X-CSRF-Token": me ? me.csrf_token : "" };
    if (body !== undefined) headers["Content-Type"] = type || "application/json";
    let r;
    try {
      r = await fetch(path, { method, body, headers });
    } catch (err) {
      return { ok: false, status: 0, data: { detail: "the request failed: " + (err.message || err) } };
    }
    const data = await readBody(r);
    if (r.status === 401) sessionEnded(problemText(401, data));
    return { ok: r.ok, status: r.status, data };
  }
  function sendJSON(method, path, obj) { return send(method, path, obj === undefined ? undefined : JSON.stringify(obj)); }
  function refusalText(res) { return problemText(res.status, res.data); }
  // download fetches a report and hands it to the browser as a file.
  async function download(path, accept, filename) {
    const r = await fetch(path, { headers: { Accept: accept } });
    if (!r.ok) throw new Refusal(r.status, await readBody(r));
    const url = URL.createObjectURL(await r.blob());
    const a = el("a", { href: url, download: filename, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  // --- banks, by name -------------------------------------------------------

  const banks = new Map(); // id -> participant
  let banksRead = 0;
  async function loadBanks(force) {
    if (!me) return;
    if (me.role !== "operator") {
      banks.set(me.participant, { id: me.participant, name: me.name, country: me.country, currencies: me.currencies || [], roles: [] });
      return;
    }
    if (!force && banks.size && Date.now() - banksRead < 30000) return;
    const data = await api("/v1/participants");
    banks.clear();
    for (const p of data.participants) banks.set(p.id, p);
    banksRead = Date.now();
  }
  function bankName(id) { const b = banks.get(id); return b ? b.name : id; }
  function countryOf(id) { const b = banks.get(id); return b ? b.country : ""; }
  function bankLabel(id) { return banks.has(id) ? bankName(id) + " (" + id + ")" : id; }
  let corridorsCache = null, corridorsRead = 0;
  async function loadCorridors(force) {
    if (force || !corridorsCache || Date.now() - corridorsRead > 30000) {
      corridorsCache = (await api("/v1/corridors")).corridors;
      corridorsRead = Date.now();
    }
    return corridorsCache;
  }
  let calendarsCache = null, calendarsRead = 0;
  async function loadCalendarsOverview(force) {
    if (force || !calendarsCache || Date.now() - calendarsRead > 60000) {
      calendarsCache = await api("/v1/calendars");
      calendarsRead = Date.now();
    }
    return calendarsCache;
  }
  // noCalendarText says why a payment has no value date: a country of its
  // corridor has no business calendar yet.
  function noCalendarText(p) {
    const have = new Set(((calendarsCache || {}).countries || []).map((c) => c.country));
    const missing = [countryOf(p.sending_participant), countryOf(p.receiving_participant)].filter((c) => c && !have.has(c));
    return "no calendar" + (missing.length ? " (" + missing.join(", ") + ")" : "");
  }

  // --- sign-in --------------------------------------------------------------

  function showLogin(message, cls) {
    me = null;
    stopLoop();
    for (const p of document.querySelectorAll(".page")) p.hidden = true;
    $("nav").hidden = true;
    $("signOut").hidden = true;
    $("who").textContent = "";
    $("login").hidden = false;
    $("token").value = "";
    say($("loginMessage"), message || "", message ? cls || "bad" : "");
    $("status").textContent = "signed out";
  }
  function sessionEnded(message) {
    if (!me) return;
    showLogin(message || "the session has ended: sign in again");
  }
  function enter(s) {
    me = s;
    $("login").hidden = true;
    $("nav").hidden = false;
    $("signOut").hidden = false;
    $("who").textContent = s.role === "operator" ? "operator" : s.name + " · " + s.participant;
    $("navBanks").textContent = s.role === "operator" ? "Banks" : "My bank";
    for (const e of document.querySelectorAll("[data-role]")) e.hidden = e.dataset.role !== s.role;
    banks.clear();
    banksRead = 0;
    corridorsCache = null;
    calendarsCache = null;
    for (const page of Object.values(pages)) if (page.reset) page.reset();
    tick();
  }
  async function signIn(token) {
    $("status").textContent = "signing in…";
    let r;
    try {
      r = await fetch("/ui/session", { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify({ token }) });
    } catch (err) {
      showLogin("sign-in failed: " + (err.message || err));
      return;
    }
    const data = await readBody(r);
    if (r.status === 201) {
      enter(data);
      return;
    }
    showLogin(r.status === 401 ? "the token was refused" : problemText(r.status, data));
    if (r.status === 401) $("status").textContent = "the token was refused";
  }
  $("tokenForm").addEventListener("submit", (e) => {
    e.preventDefault();
    const token = $("token").value.trim();
    $("token").value = "";
    if (token) signIn(token);
  });
  $("signOut").addEventListener("click", async () => {
    // Nothing more is asked with the session once its end is asked for.
    const csrf = me ? me.csrf_token : "";
    me = null;
    stopLoop();
    let message = "signed out", cls = "ok";
    try {
      const r = await fetch("/ui/session", { method: "DELETE", headers: { Accept: "application/json", "X-CSRF-Token": csrf } });
      if (!r.ok) { message = "sign-out: " + problemText(r.status, await readBody(r)); cls = "bad"; }
    } catch (err) {
      message = "sign-out failed: " + (err.message || err);
      cls = "bad";
    }
    showLogin(message, cls);
  });

  // --- pages and the loop ---------------------------------------------------

  const pages = {};
  function route() {
    const h = location.hash.replace(/^#\/?/, "");
    const q = h.indexOf("?");
    const params = new URLSearchParams(q < 0 ? "" : h.slice(q + 1));
    let parts;
    try {
      parts = (q < 0 ? h : h.slice(0, q)).split("/").filter(Boolean).map(decodeURIComponent);
    } catch (err) {
      parts = [];
    }
    let name = parts[0] || "overview";
    if (name === "payments" && parts[1]) return { name: "payment", arg: parts[1], params };
    if (!pages[name] || name === "payment" || (pages[name].role && (!me || pages[name].role !== me.role))) name = "overview";
    return { name, params };
  }
  function showPage(name) {
    for (const p of document.querySelectorAll(".page")) p.hidden = p.id !== "page-" + name;
    const nav = name === "payment" ? "payments" : name;
    for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("current", a.dataset.page === nav);
  }
  let timer = 0, loopSeq = 0;
  function stopLoop() {
    clearTimeout(timer);
    loopSeq++;
  }
  function clock() { return new Date().toISOString().slice(11, 19) + " UTC"; }
  // tick shows the page the URL names and reads what it shows, then again
  // after the page's interval while it stays on screen.
  async function tick() {
    clearTimeout(timer);
    if (!me) return;
    const seq = ++loopSeq;
    const r = route();
    const page = pages[r.name];
    showPage(r.name);
    if (document.hidden) {
      timer = setTimeout(tick, page.every || 5000);
      return;
    }
    try {
      await page.load(r);
      if (seq === loopSeq && me) $("status").textContent = "live · updated " + clock();
    } catch (err) {
      if (seq === loopSeq && me) $("status").textContent = "could not read the API: " + (err.message || err);
    }
    if (seq === loopSeq && me && page.every) timer = setTimeout(tick, page.every);
  }
  window.addEventListener("hashchange", () => { if (me) tick(); });
  document.addEventListener("visibilitychange", () => { if (me && !document.hidden) tick(); });

  // --- shared pieces -----------------------------------------------------------

  const statusOrder = ["received", "held", "reserved", "completed", "rejected", "returned", "expired"];
  const statusColors = { received: "#9aa5b5", held: "#e0a800", reserved: "#2f5fb3", completed: "#1f7a4d", rejected: "#b3261e", returned: "#7b3fa0", expired: "#6d1b16" };
  const palette = ["#2f5fb3", "#1f7a4d", "#d98200", "#7b3fa0", "#0f8b8d", "#b3261e", "#5a6b82", "#a8741a"];
  const corridorColors = new Map();
  function corridorColor(name) {
    if (!corridorColors.has(name)) corridorColors.set(name, palette[corridorColors.size % palette.length]);
    return corridorColors.get(name);
  }
  function statusBadge(p) {
    return [el("span", { class: "badge " + p.status, text: p.status + (p.reason ? " (" + p.reason + ")" : "") }),
      p.sla_breached ? el("span", { class: "badge bad sla", text: "SLA breached" }) : null];
  }
  function uetrLink(uetr) { return el("a", { href: "#/payments/" + uetr, class: "mono uetr", title: uetr, text: uetr.slice(0, 8) + "…" }); }
  const paymentColumns = ["created", "UETR", "from → to", "sent", "fee", "received", "status", "value date", "deadline"];
  // ownCountry is a bank's own country, whose time it reads beside UTC.
  function ownCountry() { return me && me.role === "participant" ? me.country : ""; }
  function paymentRow(p) {
    return el("tr", { class: "clickable", "data-uetr": p.uetr, onclick: (e) => { if (!e.target.closest("a")) location.hash = "#/payments/" + p.uetr; } },
      whenCell(p.created_at, countryOf(p.sending_participant), ownCountry()),
      el("td", { class: "l" }, uetrLink(p.uetr)),
      el("td", { class: "l parties" }, bankName(p.sending_participant) + " → " + bankName(p.receiving_participant),
        el("span", { class: "sub", text: p.sending_participant + " → " + p.receiving_participant })),
      cell(money(p.source_amount, p.source_currency), "sent"),
      cell(money(p.fee.amount, p.fee.currency), "fee"),
      cell(money(p.target_amount, p.target_currency), "received"),
      el("td", { class: "l status" }, ...statusBadge(p)),
      cell(p.value_date || noCalendarText(p), "l valueDate" + (p.value_date ? "" : " muted")),
      p.deadline ? whenCell(p.deadline, countryOf(p.receiving_participant), ownCountry()) : cell("–", "l"));
  }
  function paymentsTable(table, list) {
    if (!table.tHead) {
      table.append(el("thead", null, el("tr", null, ...paymentColumns.map((h, i) => el("th", { class: [0, 1, 2, 6, 7, 8].includes(i) ? "l" : "", text: h })))), el("tbody"));
    }
    table.tBodies[0].replaceChildren(...list.map(paymentRow));
  }
  // confirmer adds a confirmation to a card: ask(question, yesText, cls,
  // action) shows it; the action runs only on Yes.
  function confirmer() {
    const question = el("span", { class: "question" });
    const yes = el("button", { type: "button", class: "confirmYes" });
    const no = el("button", { type: "button", class: "secondary confirmNo", text: "Cancel" });
    const box = el("div", { class: "confirm", hidden: true }, question, yes, no);
    let action = null;
    no.addEventListener("click", () => { box.hidden = true; action = null; });
    yes.addEventListener("click", async () => {
      if (!action) return;
      const run = action;
      action = null;
      yes.disabled = no.disabled = true;
      try { await run(); } finally { yes.disabled = no.disabled = false; box.hidden = true; }
    });
    return {
      node: box,
      ask(text, yesText, cls, run) {
        question.textContent = text;
        yes.textContent = yesText;
        yes.className = "confirmYes " + (cls || "");
        action = run;
        box.hidden = false;
        yes.focus();
      },
      get open() { return !box.hidden; },
    };
  }
  const rejectReasons = [["AC01", "incorrect account number"], ["AC04", "closed account"], ["AC06", "blocked account"], ["AG01", "transaction forbidden"],
    ["AM05", "duplicate"], ["BE01", "name does not match the account"], ["RR04", "regulatory reason"]];
  const returnReasons = [["AC04", "closed account"], ["AC06", "blocked account"], ["AM05", "duplicate"], ["CUST", "requested by the customer"], ["FOCR", "following a cancellation request"], ["MD06", "refund requested by the debtor"]];
  function reasonSelect(reasons) { return el("select", { class: "reason" }, ...reasons.map(([code, what]) => el("option", { value: code, text: code + " · " + what }))); }

  // --- charts -----------------------------------------------------------------

  function niceMax(v) {
    if (v <= 1) return 1;
    const step = 10 ** Math.floor(Math.log10(v));
    for (const m of [1, 2, 5, 10]) if (m * step >= v) return m * step;
    return 10 * step;
  }
  // drawPerMinute draws payments per minute as bars stacked by corridor.
  function drawPerMinute(box, legend, t) {
    const W = 640, H = 200, L = 36, R = 8, T = 10, B = 22;
    const max = niceMax(Math.max(1, ...t.minutes.map((m) => m.payments)));
    const bw = (W - L - R) / t.minutes.length;
    const y = (v) => T + (H - T - B) * (1 - v / max);
    const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "payments per minute" });
    for (const v of [0, max / 2, max]) {
      chart.append(svg("line", { class: "axis", x1: L, x2: W - R, y1: y(v), y2: y(v) }));
      if (Number.isInteger(v)) chart.append(svg("text", { x: L - 4, y: y(v) + 3, "text-anchor": "end" }, String(v)));
    }
    t.minutes.forEach((m, k) => {
      const at = parseTime(m.at);
      const group = svg("g", { class: "minute", "data-payments": m.payments },
        svg("title", null, hhmm(at) + " UTC · " + (m.payments ? m.corridors.map((c) => c.corridor + ": " + c.payments).join(", ") : "no payment")));
      let top = H - B;
      for (const c of m.corridors) {
        const h = (H - T - B) * c.payments / max;
        top -= h;
        group.append(svg("rect", { class: "bar", x: (L + k * bw + 0.5).toFixed(1), y: top.toFixed(1), width: Math.max(1, bw - 1).toFixed(1), height: h.toFixed(1), fill: corridorColor(c.corridor) }));
      }
      chart.append(group);
      if (k % 10 === 0) chart.append(svg("text", { x: (L + k * bw).toFixed(1), y: H - 6 }, hhmm(at)));
    });
    box.replaceChildren(chart);
    legend.replaceChildren(...t.corridors.map((c) => el("span", null, swatch(corridorColor(c.corridor)), c.corridor + " · " + c.payments)));
  }
  // drawStatus draws where the payments stand as one stacked bar.
  function drawStatus(box, legend, statuses) {
    const total = statusOrder.reduce((n, s) => n + (statuses[s] || 0), 0);
    const W = 640, H = 36;
    const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "payments by status" });
    chart.append(svg("rect", { class: "axis", x: 0, y: 6, width: W, height: 24, fill: "#eef1f5" }));
    let x = 0;
    for (const s of statusOrder) {
      const n = statuses[s] || 0;
      if (!n) continue;
      const w = W * n / total;
      chart.append(svg("rect", { x: x.toFixed(1), y: 6, width: w.toFixed(1), height: 24, fill: statusColors[s] }, svg("title", null, s + ": " + n)));
      x += w;
    }
    box.replaceChildren(chart);
    legend.replaceChildren(...statusOrder.map((s) => el("span", { "data-status": s }, swatch(statusColors[s]), s + " " + (statuses[s] || 0))));
  }
  // drawValues draws, per corridor, the value sent in each minute.
  function drawValues(box, t) {
    box.replaceChildren(...t.corridors.map((c) => {
      const W = 280, H = 64;
      const values = t.minutes.map((m) => { const x = m.corridors.find((y) => y.corridor === c.corridor); return x ? x.value : "0"; });
      const max = Math.max(...values.map(chartValue)) || 1;
      const bw = W / values.length;
      const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": c.corridor + " value per minute" },
        svg("line", { class: "axis", x1: 0, x2: W, y1: H - 0.5, y2: H - 0.5 }));
      values.forEach((v, k) => {
        const h = (H - 4) * chartValue(v) / max;
        if (h > 0) chart.append(svg("rect", { x: (k * bw).toFixed(1), y: (H - h).toFixed(1), width: Math.max(1, bw - 1).toFixed(1), height: h.toFixed(1), fill: corridorColor(c.corridor) },
          svg("title", null, hhmm(parseTime(t.minutes[k].at)) + " UTC · " + money(v, c.currency))));
      });
      return el("div", { class: "multiple", "data-corridor": c.corridor },
        el("div", null, el("b", { text: c.corridor }), " ", el("span", { class: "muted", text: count(c.payments, "payment") })),
        el("div", null, el("b", { class: "value", text: money(c.value, c.currency) })),
        chart);
    }));
  }
  // capUse is how much of a position's net debit cap is in use
  // (reservations included), exactly, and in tenths of a percent.
  function capUse(pos) {
    const cap = minor(pos.net_debit_cap), avail = minor(pos.available);
    if (!cap || !avail || cap.v === 0n) return null;
    const d = Math.max(cap.d, avail.d);
    const c = scaled(cap, d);
    let used = c - scaled(avail, d);
    if (used < 0n) used = 0n;
    return { used: formatMinor(used, d), cap: formatMinor(c, d), permille: Number(used * 1000n / c) };
  }
  function capLevel(permille) { return permille >= 900 ? "red" : permille >= 750 ? "amber" : ""; }
  // capBar is a bank's use of its cap in one currency: a bar that turns
  // amber from 75 % and red from 90 %.
  function capBar(bank, pos, label) {
    const u = capUse(pos);
    if (!u) {
      return el("div", { class: "cap nocap", "data-bank": bank, "data-currency": pos.currency },
        el("div", { class: "capText" }, el("span", { text: label }), el("span", { class: "muted", text: "no net debit cap · position " + money(pos.position, pos.currency) + " · incoming " + money(pos.incoming, pos.currency) })));
    }
    const W = 400, pct = Math.min(1000, u.permille) / 10;
    return el("div", { class: ("cap " + capLevel(u.permille)).trim(), "data-bank": bank, "data-currency": pos.currency, "data-permille": u.permille },
      el("div", { class: "capText" }, el("span", { text: label }),
        el("span", null, "used " + money(u.used) + " of " + money(u.cap, pos.currency) + " · ", el("span", { class: "pct", text: (u.permille / 10).toFixed(1) + " %" }))),
      el("div", { class: "bar" }, svg("svg", { viewBox: `0 0 ${W} 10`, preserveAspectRatio: "none", role: "img", "aria-label": pct + "% of the cap" },
        svg("rect", { class: "track", x: 0, y: 0, width: W, height: 10, rx: 3 }),
        svg("rect", { class: "used", x: 0, y: 0, width: (W * pct / 100).toFixed(1), height: 10, rx: 3 }))));
  }

  // --- overview ---------------------------------------------------------------

  pages.overview = {
    every: 2000,
    async load() {
      const op = me.role === "operator";
      await loadBanks();
      await loadCalendarsOverview();
      const [traffic, last, breaches, windows, positions, totals] = await Promise.all([
        api("/v1/traffic?minutes=60"),
        api("/v1/payments?order=newest&limit=12"),
        api("/v1/payments?order=newest&sla=breached&limit=5"),
        api("/v1/settlement/windows?status=open"),
        op ? api("/v1/participants/positions") : api("/v1/positions"),
        op ? api("/v1/ledger/totals") : null,
      ]);
      const st = traffic.statuses;
      $("ovPayments").textContent = groupDigits(String(traffic.payments));
      $("ovCompleted").textContent = groupDigits(String(st.completed));
      $("ovWaiting").textContent = groupDigits(String(st.received + st.held + st.reserved));
      $("ovRefused").textContent = groupDigits(String(st.rejected + st.returned + st.expired));
      $("ovBreached").textContent = groupDigits(String(traffic.sla_breached));
      $("ovBreachedTile").classList.toggle("badTile", traffic.sla_breached > 0);
      $("ovSpan").textContent = "UTC, " + hhmm(parseTime(traffic.from)) + "–" + hhmm(parseTime(traffic.to));
      if (totals) {
        const balanced = totals.totals.every((t) => t.balanced);
        $("books").textContent = balanced ? "balanced" : "BROKEN";
        $("books").className = balanced ? "ok" : "bad";
      }
      drawPerMinute($("ovPerMinute"), $("ovLegend"), traffic);
      drawStatus($("ovStatus"), $("ovStatusLegend"), st);
      drawValues($("ovValue"), traffic);
      $("ovValueEmpty").hidden = traffic.corridors.length > 0;
      fill($("ovWindows").tBodies[0], windows.windows.map((w) => el("tr", { "data-window": w.id },
        el("td", { class: "l" }, el("a", { href: "#/settlement", text: w.id })),
        whenCell(w.opened_at, currencyCountry(w.currency)),
        cell(groupDigits(String(w.payments))), cell(money(w.gross, w.currency)), cell(money(w.net, w.currency)), cell(percentOf(w.netting_ratio)))));
      const caps = [];
      const rows = op ? positions.participants : [{ participant: positions.participant, positions: positions.positions }];
      for (const p of rows) for (const pos of p.positions) caps.push({ bank: p.participant, pos, use: capUse(pos) });
      caps.sort((a, b) => (b.use ? b.use.permille : -1) - (a.use ? a.use.permille : -1));
      $("ovCapsTitle").firstChild.textContent = op ? "Net debit caps " : "Your positions ";
      $("ovCaps").replaceChildren(...caps.filter((c) => c.use || !op).slice(0, 8).map((c) => capBar(c.bank, c.pos, bankName(c.bank) + " · " + c.pos.currency)));
      paymentsTable($("ovBreaches"), breaches.payments);
      $("ovBreaches").hidden = breaches.payments.length === 0;
      $("ovBreachesEmpty").hidden = breaches.payments.length > 0;
      paymentsTable($("paymentsTable"), last.payments);
    },
  };

  // --- payments ---------------------------------------------------------------

  const uuidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
  const amountPattern = /^\d+(\.\d+)?$/;
  const searchFields = [["uetr", "psUETR"], ["participant", "psBank"], ["status", "psStatus"], ["from", "psFrom"], ["to", "psTo"],
    ["currency", "psCurrency"], ["amount_min", "psMin"], ["amount_max", "psMax"]];
  // searchShown is the search whose results the list shows; formShown the
  // one the form shows, which the form's own buttons set before they
  // change the address, so that the page's reload does not fill the form
  // again (over what was typed meanwhile).
  let searchShown = "", formShown = "", searchNext = "", searchPages = 0;
  // searchQuery turns the page's parameters (dates as days) into the
  // API's (times): "to" is the last day included.
  function searchQuery(params) {
    const q = new URLSearchParams();
    for (const [k] of searchFields) {
      const v = params.get(k);
      if (!v) continue;
      if (k === "from") q.set("from", v + "T00:00:00Z");
      else if (k === "to") {
        const d = new Date(v + "T00:00:00Z");
        if (!isNaN(d)) q.set("to", new Date(d.getTime() + 86400000).toISOString().slice(0, 19) + "Z");
      } else q.set(k, v);
    }
    if (params.get("sla") === "breached") q.set("sla", "breached");
    return q;
  }
  function setOptions(select, values, labels) {
    const want = ["", ...values];
    const have = Array.from(select.options, (o) => o.value);
    if (want.join("\n") === have.join("\n")) return;
    const chosen = select.value;
    select.replaceChildren(el("option", { value: "", text: "any" }), ...values.map((v, i) => el("option", { value: v, text: labels ? labels[i] : v })));
    select.value = chosen;
  }
  async function runSearch(params, more) {
    const q = searchQuery(params);
    q.set("limit", "50");
    if (more) q.set("cursor", searchNext);
    let data;
    try {
      data = await api("/v1/payments/search?" + q);
    } catch (err) {
      if (err.status === 401) throw err;
      say($("psMessage"), "not searched: " + err.message, "bad");
      $("psTable").hidden = true;
      $("psMore").hidden = true;
      return;
    }
    const table = $("psTable");
    if (!more) {
      paymentsTable(table, data.payments);
      searchPages = 1;
    } else {
      table.tBodies[0].append(...data.payments.map(paymentRow));
      searchPages++;
    }
    searchNext = data.next_cursor;
    const shown = table.tBodies[0].rows.length;
    table.hidden = shown === 0;
    $("psMore").hidden = !searchNext;
    say($("psMessage"), shown === 0 ? "no payment matches" : shown + (searchNext ? " payments shown, newest first; more below" : shown === 1 ? " payment" : " payments, newest first"), shown === 0 ? "muted" : "");
  }
  $("paymentSearch").addEventListener("submit", (e) => {
    e.preventDefault();
    for (const [, id] of searchFields) $(id).classList.remove("invalid");
    const bad = (id, text) => { $(id).classList.add("invalid"); say($("psMessage"), text, "bad"); $(id).focus(); };
    const uetr = $("psUETR").value.trim();
    if (uuidPattern.test(uetr)) {
      location.hash = "#/payments/" + uetr.toLowerCase();
      return;
    }
    if (uetr && !/^[0-9a-fA-F-]+$/.test(uetr)) return bad("psUETR", "UETR: hexadecimal digits and hyphens only, the whole UETR or its start");
    for (const id of ["psMin", "psMax"]) {
      const v = $(id).value.trim();
      if (v && !amountPattern.test(v)) return bad(id, (id === "psMin" ? "amount from" : "amount to") + ": digits with an optional decimal part, such as 150000.00; no separators or signs");
      if (v && !$("psCurrency").value) return bad("psCurrency", "currency: an amount is in a currency; choose it");
    }
    if ($("psFrom").value && $("psTo").value && $("psTo").value < $("psFrom").value) return bad("psTo", "to: the last day is before the first");
    const params = new URLSearchParams();
    for (const [k, id] of searchFields) { const v = $(id).value.trim(); if (v) params.set(k, v); }
    if ($("psBreached").checked) params.set("sla", "breached");
    const target = "#/payments" + (params.toString() ? "?" + params : "");
    formShown = params.toString();
    if (location.hash === target) tick(); else location.hash = target;
  });
  $("psClear").addEventListener("click", () => {
    $("paymentSearch").reset();
    formShown = "";
    location.hash = "#/payments";
  });
  $("psMore").addEventListener("click", async () => {
    $("psMore").disabled = true;
    try { await runSearch(route().params, true); } finally { $("psMore").disabled = false; }
  });

  // Incoming payments, for a receiving bank: a card per payment, kept while
  // it waits, so that a choice being made survives the page's refresh.
  const incomingCards = new Map();
  async function refreshIncoming() {
    const data = await api("/v1/payments?status=reserved&limit=1000");
    const mine = data.payments.filter((p) => p.receiving_participant === me.participant);
    const seen = new Set();
    for (const p of mine) {
      seen.add(p.uetr);
      if (!incomingCards.has(p.uetr)) {
        const c = incomingCard(p);
        incomingCards.set(p.uetr, c);
        $("incoming").append(c);
      }
    }
    for (const [uetr, c] of incomingCards) if (!seen.has(uetr)) { c.remove(); incomingCards.delete(uetr); }
    $("incomingEmpty").hidden = mine.length > 0;
  }
  // answerControls are the receiving bank's buttons for a payment:
  // accept or reject a reserved one, return a completed one.
  function answerControls(p, message, done) {
    const c = confirmer();
    const controls = el("div", { class: "decide" });
    const answer = async (action, body, verb) => {
      const res = await sendJSON("POST", "/v1/payments/" + p.uetr + "/" + action, body);
      if (res.ok) {
        const q = res.data;
        say(message, verb + " payment " + p.uetr + ": now " + q.status + (q.reason ? " (" + q.reason + ")" : "") + ".", "ok");
      } else {
        say(message, "Payment " + p.uetr + ": " + refusalText(res), "bad");
      }
      await done();
    };
    if (p.status === "reserved") {
      const reason = reasonSelect(rejectReasons);
      controls.append(
        el("button", { type: "button", class: "accept", text: "Accept…", onclick: () => c.ask("Credit " + p.creditor.name + " with " + money(p.target_amount, p.target_currency) + " and complete the payment?", "Yes, accept", "accept", () => answer("accept", undefined, "Accepted")) }),
        reason,
        el("button", { type: "button", class: "reject", text: "Reject…", onclick: () => c.ask("Reject this payment (" + reason.value + ") and release its reservation of " + money(p.source_amount, p.source_currency) + "?", "Yes, reject", "reject", () => answer("reject", { reason: reason.value }, "Rejected")) }));
    } else if (p.status === "completed") {
      const reason = reasonSelect(returnReasons);
      controls.append(reason, el("button", { type: "button", class: "reject", text: "Return…", onclick: () => c.ask("Return " + money(p.target_amount, p.target_currency) + " to " + p.sending_participant + " (" + reason.value + ")?", "Yes, return", "reject", () => answer("return", { reason: reason.value }, "Returned")) }));
    } else {
      return null;
    }
    return el("div", null, controls, c.node);
  }
  function incomingCard(p) {
    return el("article", { class: "incoming", "data-uetr": p.uetr },
      el("div", { class: "facts" },
        el("span", null, "from ", el("b", { text: p.sending_participant })),
        el("span", null, "you receive ", el("b", { class: "received", text: money(p.target_amount, p.target_currency) })),
        el("span", null, "sent ", el("b", { class: "sent", text: money(p.source_amount, p.source_currency) })),
        el("span", null, "creditor ", el("bdi", null, el("b", { class: "creditor", text: p.creditor.name })), " ", el("span", { class: "muted", text: p.creditor.account })),
        el("span", null, "debtor ", el("bdi", { text: p.debtor.name }))),
      el("div", { class: "facts muted" },
        el("span", null, "created ", ...when(p.created_at, me.country)),
        el("span", null, "answer by ", ...(p.deadline ? when(p.deadline, me.country) : ["no deadline: ", noCalendarText(p)])),
        el("span", null, "UETR ", el("a", { href: "#/payments/" + p.uetr, class: "mono", text: p.uetr }))),
      answerControls(p, $("incomingMessage"), refreshIncoming));
  }

  pages.payments = {
    every: 3000,
    reset() { incomingCards.forEach((c) => c.remove()); incomingCards.clear(); searchShown = ""; formShown = ""; $("paymentSearch").reset(); },
    async load(r) {
      await loadBanks();
      await loadCalendarsOverview();
      const corridors = await loadCorridors();
      const op = me.role === "operator";
      $("psBank").parentElement.hidden = !op;
      if (op) {
        const ids = [...banks.keys()].sort();
        setOptions($("psBank"), ids, ids.map(bankLabel));
      }
      setOptions($("psCurrency"), [...new Set(corridors.flatMap((c) => [c.source, c.target]))].sort());
      const key = r.params.toString();
      // A load for an address the page has left since (a refresh in
      // flight when Clear or a search changed it) leaves the form and the
      // list to the load of the new one.
      if (route().params.toString() !== key) return;
      if (key !== formShown) {
        // The URL drives the form, so that a search can be linked to.
        for (const [k, id] of searchFields) $(id).value = r.params.get(k) || "";
        $("psBreached").checked = r.params.get("sla") === "breached";
        formShown = key;
      }
      // The search the form shows, once this load has looked at it.
      $("paymentSearch").dataset.shown = key;
      const work = [];
      if (!op) work.push(refreshIncoming());
      if (key !== searchShown || searchPages <= 1) work.push(runSearch(r.params, false));
      searchShown = key;
      await Promise.all(work);
    },
  };

  // --- one payment ------------------------------------------------------------

  let payShown = "", payDetailKey = "", payMissing = "";
  function fact(label, ...value) { return el("div", null, el("span", { text: label }), ...value); }
  function partyFact(label, party) {
    return fact(label, el("bdi", null, el("b", { text: party.name })),
      el("span", { class: "sub mono", text: party.account + (party.bank_code ? " · " + party.bank_code : "") + (party.country ? " · " + party.country : "") }));
  }
  function eventClass(ev) {
    if (["completed", "approved"].includes(ev.event)) return "evOK";
    if (["rejected", "expired", "returned", "sla_breached"].includes(ev.event) || ev.status === "rejected") return "evBad";
    return "";
  }
  function actorCountry(by, p) {
    if (banks.has(by)) return [countryOf(by)];
    return [countryOf(p.sending_participant), countryOf(p.receiving_participant)];
  }
  function renderPayment(p) {
    const sc = countryOf(p.sending_participant), rc = countryOf(p.receiving_participant);
    $("payCard").hidden = false;
    $("payDetails").hidden = false;
    $("payUETR").textContent = p.uetr;
    $("payStatus").className = "badge " + p.status;
    $("payStatus").textContent = p.status + (p.reason ? " (" + p.reason + ")" : "");
    $("paySLA").hidden = !p.sla_breached;
    $("payFacts").replaceChildren(
      fact("from", el("b", { text: bankName(p.sending_participant) }), el("span", { class: "sub", text: p.sending_participant + (sc ? " · " + sc : "") })),
      fact("to", el("b", { text: bankName(p.receiving_participant) }), el("span", { class: "sub", text: p.receiving_participant + (rc ? " · " + rc : "") })),
      fact("sent", el("b", { class: "sent", text: money(p.source_amount, p.source_currency) })),
      fact("received", el("b", { class: "received", text: money(p.target_amount, p.target_currency) })),
      partyFact("debtor", p.debtor),
      partyFact("creditor", p.creditor),
      fact("created", ...when(p.created_at, sc, rc)),
      fact("purpose", el("b", { text: p.purpose }), p.remittance_information ? el("span", { class: "sub", text: p.remittance_information }) : null));
    $("payTimeline").replaceChildren(...p.events.map((ev) => el("li", { class: eventClass(ev), "data-event": ev.event },
      el("div", null, el("span", { class: "what", text: ev.event + (ev.reason ? " (" + ev.reason + ")" : "") }), " ",
        el("span", { class: "by", text: "by " + (banks.has(ev.by) ? bankLabel(ev.by) : ev.by) })),
      el("div", { class: "at" }, ...when(ev.at, ...actorCountry(ev.by, p))),
      ev.detail ? el("div", { class: "detail", text: ev.detail }) : null)));
    const total = addAmounts(p.source_amount, p.fee.amount);
    const kv = (k, ...v) => [el("dt", { text: k }), el("dd", { "data-key": k }, ...v)];
    $("payQuote").replaceChildren(
      ...kv("quote", el("span", { class: "mono", text: p.quote_id })),
      ...kv("rate", groupDigits(p.rate) + " " + p.target_currency + " per " + p.source_currency, el("span", { class: "sub", text: "source " + p.rate_source + (p.derived ? ", derived" : "") })),
      ...kv("FX provider", bankLabel(p.fx_provider)),
      ...kv("sent", money(p.source_amount, p.source_currency)),
      ...kv("fee", money(p.fee.amount, p.fee.currency)),
      ...kv("debited in all", total ? money(total, p.source_currency) : "–"),
      ...kv("received", money(p.target_amount, p.target_currency)),
      ...kv("value date", p.value_date ? el("b", { text: p.value_date }) : el("span", { class: "muted", text: noCalendarText(p) })),
      ...kv("deadline", ...(p.deadline ? when(p.deadline, rc, sc) : [el("span", { class: "muted", text: "none: " + noCalendarText(p) })])),
      ...kv("SLA", p.sla_breached ? el("span", { class: "bad", text: "breached: not completed by the deadline" }) : el("span", { text: p.status === "completed" ? "met" : "on time so far" })));
    $("payActions").replaceChildren();
    if (me.role === "participant" && me.participant === p.receiving_participant) {
      const c = answerControls(p, $("payActionMessage"), async () => { payDetailKey = ""; await tick(); });
      if (c) $("payActions").append(c);
    }
    if (me.role === "operator" && p.status === "held") {
      $("payActions").append(el("a", { href: "#/screening", text: "Held by screening: decide it in the review queue →" }));
    }
    if (me.role === "operator") {
      const s = p.screening;
      $("payScreening").replaceChildren(!s ? el("p", { class: "muted", text: "not screened: no list was loaded when it was made" }) :
        el("div", null, el("p", null, "outcome: ", el("b", { text: s.action }), " · lists " + (s.lists || []).join(", ")),
          s.hits && s.hits.length ? el("table", null, el("thead", null, el("tr", null, ...["party", "payment's spelling", "listed", "entry", "score", "action"].map((h, i) => el("th", { class: i < 4 ? "l" : "", text: h })))),
            el("tbody", null, ...s.hits.map((h) => el("tr", null, cell(fieldNames[h.field] || h.field, "l"), named(h.queried), named(h.matched),
              cell(h.list + "@" + h.list_version + " · " + h.entry_id, "l"), cell(Number(h.score).toFixed(4)), cell(h.action, actionClass(h.action)))))) : el("p", { class: "muted", text: "no hits" })));
    }
  }
  function accountText(owner, kind, id) {
    if (!owner) return el("span", { class: "mono", text: id });
    return el("span", { title: id }, (owner === "SWITCH" ? "the switch" : bankName(owner)) + " · " + kind.replace("_", " "), el("span", { class: "sub mono", text: id.slice(0, 8) + "…" }));
  }
  function renderTransfers(list) {
    fill($("payTransfers").tBodies[0], list.map((t) => el("tr", { "data-transfer": t.id, "data-state": t.state || "" },
      cell(t.leg, "l leg"), el("td", { class: "l" }, el("span", { class: "mono", title: t.id, text: t.id.slice(0, 8) + "…" })),
      el("td", { class: "l" }, accountText(t.debit_owner, t.debit_kind, t.debit_account_id)),
      el("td", { class: "l" }, accountText(t.credit_owner, t.credit_kind, t.credit_account_id)),
      cell(money(t.amount, t.currency), "amount"), cell(t.flags.join(", ") || "–", "l"), cell(t.state || "–", "l state"), whenCell(t.timestamp))));
  }
  function renderMessages(list) {
    $("payMessages").replaceChildren(...(list.length ? list.map((m) => {
      const to = "to " + bankLabel(m.participant);
      if (!m.xml) return el("p", { class: "muted unavailable", "data-message": m.message }, m.message + " " + to + ": not written — " + m.detail);
      const save = el("button", { type: "button", class: "secondary small", text: "Download" });
      save.addEventListener("click", () => {
        const url = URL.createObjectURL(new Blob([m.xml], { type: "application/xml" }));
        const a = el("a", { href: url, download: m.message + "-" + m.participant + "-" + payShown + ".xml", hidden: true });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
      });
      return el("details", { class: "message-xml", "data-message": m.message, "data-participant": m.participant },
        el("summary", null, el("b", { text: m.message }), " " + to + " · " + groupDigits(String(m.xml.length)) + " bytes ", save),
        el("pre", { text: m.xml }));
    }) : [el("p", { class: "muted", text: "no message" })]));
  }
  pages.payment = {
    every: 3000,
    reset() { payShown = ""; payDetailKey = ""; payMissing = ""; },
    async load(r) {
      const uetr = r.arg;
      if (uetr !== payShown) {
        payShown = uetr;
        payDetailKey = "";
        payMissing = "";
        $("payCard").hidden = $("payDetails").hidden = true;
        $("payTransfersCard").hidden = $("payMessagesCard").hidden = true;
        say($("payActionMessage"), "");
        say($("payMessage"), "");
      }
      if (!uuidPattern.test(uetr)) {
        say($("payMessage"), "“" + uetr + "” is not a UETR: a UETR is a UUID such as 3f2b8c1e-5d4a-4e6b-9c7d-1a2b3c4d5e6f.", "bad");
        return;
      }
      // A payment the caller may not see stays so: it is not asked again.
      if (uetr === payMissing) return;
      await loadBanks();
      await loadCalendarsOverview();
      let p;
      try {
        p = await api("/v1/payments/" + encodeURIComponent(uetr));
      } catch (err) {
        if (err.status !== 404) throw err;
        payMissing = uetr;
        $("payCard").hidden = $("payDetails").hidden = true;
        $("payTransfersCard").hidden = $("payMessagesCard").hidden = true;
        say($("payMessage"), "No payment " + uetr + (me.role === "participant" ? " that " + me.name + " sent or received." : "."), "bad");
        return;
      }
      say($("payMessage"), "");
      renderPayment(p);
      // Transfers and messages change with the payment's events only.
      const key = p.uetr + "/" + p.status + "/" + p.events.length;
      if (key === payDetailKey) return;
      const [transfers, messages] = await Promise.all([
        me.role === "operator" ? api("/v1/payments/" + p.uetr + "/transfers") : null,
        api("/v1/payments/" + p.uetr + "/messages"),
      ]);
      if (transfers) renderTransfers(transfers.transfers);
      $("payTransfersCard").hidden = me.role !== "operator";
      renderMessages(messages.messages);
      $("payMessagesCard").hidden = false;
      payDetailKey = key;
    },
  };

  // --- banks -----------------------------------------------------------------

  const bankCards = new Map();
  function feeText(fee, currency) {
    const parts = [];
    if (fee.percent && fee.percent !== "0") parts.push(fee.percent + " %");
    if (fee.fixed && minor(fee.fixed) && minor(fee.fixed).v !== 0n) parts.push("+ " + money(fee.fixed, currency));
    if (fee.min && minor(fee.min) && minor(fee.min).v !== 0n) parts.push("min " + money(fee.min, currency));
    if (fee.max) parts.push("max " + money(fee.max, currency));
    return parts.join(", ") || "none";
  }
  function bankCard(id) {
    const body = el("div", { class: "bankBody" });
    const card = el("section", { class: "card bank", "data-bank": id }, body);
    if (me.role === "operator") {
      const message = el("div", { class: "message keyMessage", role: "status" });
      const created = el("tbody");
      const keyID = el("input", { class: "mid keyID", maxlength: 16, autocomplete: "off", spellcheck: "false", placeholder: "16 hexadecimal digits" });
      const c = confirmer();
      const revoke = async (k) => {
        const res = await send("DELETE", "/v1/participants/" + encodeURIComponent(id) + "/keys/" + encodeURIComponent(k));
        if (res.ok) {
          say(message, "Revoked key " + k + " of " + id + ": requests with it are refused from now on.", "ok");
          for (const tr of created.rows) if (tr.dataset.key === k) tr.cells[2].textContent = "revoked";
        } else {
          say(message, "Key " + k + " not revoked: " + refusalText(res), "bad");
        }
      };
      const askRevoke = (k) => c.ask("Revoke key " + k + " of " + bankName(id) + "? Requests with it, and consoles signed in with it, are refused at once.", "Yes, revoke", "danger", () => revoke(k));
      const create = el("button", { type: "button", class: "createKey", text: "Create a key" });
      create.addEventListener("click", async () => {
        create.disabled = true;
        const res = await send("POST", "/v1/participants/" + encodeURIComponent(id) + "/keys");
        create.disabled = false;
        if (!res.ok) { say(message, "No key created: " + refusalText(res), "bad"); return; }
        say(message, [el("div", { class: "keyShown" }, "New key ", el("b", { text: res.data.key_id }), " for " + id + ", shown this once — give it to the bank now: ",
          el("code", { class: "apiKey", text: res.data.api_key }))], "");
        created.parentElement.hidden = false;
        created.append(el("tr", { "data-key": res.data.key_id }, cell(res.data.key_id, "l mono"), cell(utc(new Date().toISOString()), "l"), cell("in force", "l"),
          el("td", null, el("button", { type: "button", class: "secondary small", text: "Revoke…", onclick: () => askRevoke(res.data.key_id) }))));
      });
      const revokeForm = el("form", { class: "fields revokeForm", novalidate: true },
        el("label", null, "key id", keyID), el("button", { class: "danger", text: "Revoke…" }));
      revokeForm.addEventListener("submit", (e) => {
        e.preventDefault();
        const k = keyID.value.trim().toLowerCase();
        keyID.classList.toggle("invalid", !/^[0-9a-f]{16}$/.test(k));
        if (!/^[0-9a-f]{16}$/.test(k)) { say(message, "key id: the 16 hexadecimal digits after ak_ in the key (ak_<key id>_<secret>)", "bad"); return; }
        askRevoke(k);
      });
      card.append(el("h3", { text: "API keys" }),
        el("p", { class: "muted small", text: "The node keeps each key's hash only: a key is shown once, when it is made. Revoking needs its id, the 16 digits after ak_." }),
        el("div", { class: "decide" }, create, revokeForm), c.node, message,
        el("table", { class: "keys", hidden: true }, el("thead", null, el("tr", null, el("th", { class: "l", text: "key made here" }), el("th", { class: "l", text: "made" }), el("th", { class: "l", text: "state" }), el("th"))), created));
    } else {
      card.append(el("h3", { text: "API key" }), el("p", { class: "muted", text: "This console signed in with key " + (me.key_id || "–") + ". Keys are made and revoked by the switch's operator." }));
    }
    return card;
  }
  function updateBankCard(card, p, positions, corridors) {
    const currencies = p.currencies || [];
    const posTable = el("table", { class: "positions" },
      el("thead", null, el("tr", null, ...["currency", "net position", "reserved, outgoing", "incoming", "available to send", "net debit cap"].map((h, i) => el("th", { class: i === 0 ? "l" : "", text: h })))),
      el("tbody", null, ...positions.map((pos) => el("tr", { "data-currency": pos.currency },
        cell(pos.currency, "l"), cell(money(pos.position, pos.currency), pos.negative ? "negative" : "positive"), cell(money(pos.reserved, pos.currency)),
        cell(money(pos.incoming, pos.currency)), cell(money(pos.available, pos.currency)), cell(money(pos.net_debit_cap, pos.currency))))));
    const bars = positions.filter((pos) => capUse(pos)).map((pos) => capBar(p.id, pos, pos.currency));
    const mine = corridors.filter((c) => currencies.includes(c.source) || currencies.includes(c.target));
    const corTable = mine.length ? el("table", { class: "limits" },
      el("thead", null, el("tr", null, ...["corridor", "as", "limit per payment", "daily per debtor", "fee", "settles"].map((h, i) => el("th", { class: i < 2 ? "l" : "", text: h })))),
      el("tbody", null, ...mine.map((c) => {
        const sends = currencies.includes(c.source), allowed = !c.senders.length || c.senders.includes(p.id);
        const as = [sends ? (allowed ? "sender" : "sender, not allowed") : null, currencies.includes(c.target) ? "receiver" : null,
          c.fx_provider === p.id ? "FX provider" : null].filter(Boolean).join(", ");
        return el("tr", { "data-corridor": c.corridor }, cell(c.corridor, "l"), cell(as, "l" + (sends && !allowed ? " warn" : "")),
          cell(limitText(c.limit_per_payment.amount, c.limit_per_payment.currency)), cell(limitText(c.daily_limit_per_debtor, c.source)),
          cell(feeText(c.fee, c.source)), cell(c.settlement_days === 0 ? "same day" : "in " + c.settlement_days + " business day" + (c.settlement_days > 1 ? "s" : "")));
      }))) : el("p", { class: "muted", text: "in no corridor yet" });
    const zone = zoneOf(p.country);
    card.querySelector(".bankBody").replaceChildren(
      el("div", { class: "bankHead" }, el("h2", { text: p.name }), el("code", { text: p.id }),
        el("span", { class: "muted", text: p.country + (zone ? " · " + zone + ", now " + local(new Date().toISOString(), p.country) : "") }),
        ...(p.roles || []).map((r) => el("span", { class: "badge", text: r.replace("_", " ") }))),
      el("h3", { text: "Positions against the net debit cap" }), posTable, el("div", { class: "caps" }, ...bars),
      el("h3", { text: "Limits and corridors" }), corTable);
  }
  pages.banks = {
    every: 5000,
    reset() { bankCards.forEach((c) => c.remove()); bankCards.clear(); },
    async load() {
      const op = me.role === "operator";
      await loadBanks();
      const [positions, corridors] = await Promise.all([op ? api("/v1/participants/positions") : api("/v1/positions"), loadCorridors()]);
      const rows = op ? positions.participants : [{ participant: positions.participant, positions: positions.positions }];
      const seen = new Set();
      for (const row of rows) {
        const p = banks.get(row.participant) || { id: row.participant, name: row.participant, country: "", currencies: row.positions.map((x) => x.currency) };
        seen.add(p.id);
        let card = bankCards.get(p.id);
        if (!card) {
          card = bankCard(p.id);
          bankCards.set(p.id, card);
          $("banks").append(card);
        }
        updateBankCard(card, p, row.positions, corridors);
      }
      for (const [id, card] of bankCards) if (!seen.has(id)) { card.remove(); bankCards.delete(id); }
    },
  };

  // --- settlement -------------------------------------------------------------

  // projectInstructions nets a window's positions as the switch does when
  // it closes one: the largest payer paired with the largest receiver
  // first, so n non-zero positions settle in at most n-1 movements. It is
  // for the open window, which has no instructions yet.
  function projectInstructions(w) {
    const rows = w.positions.map((p) => ({ id: p.participant, net: minor(p.net) })).filter((p) => p.net && p.net.v !== 0n);
    const d = Math.max(0, ...rows.map((p) => p.net.d));
    const payers = rows.filter((p) => p.net.v < 0n).map((p) => ({ id: p.id, left: -scaled(p.net, d) }));
    const payees = rows.filter((p) => p.net.v > 0n).map((p) => ({ id: p.id, left: scaled(p.net, d) }));
    const order = (a, b) => (a.left === b.left ? (a.id < b.id ? -1 : 1) : a.left > b.left ? -1 : 1);
    payers.sort(order);
    payees.sort(order);
    const out = [];
    for (let i = 0, j = 0; i < payers.length && j < payees.length;) {
      const move = payers[i].left < payees[j].left ? payers[i].left : payees[j].left;
      out.push({ payer: payers[i].id, payee: payees[j].id, amount: formatMinor(move, d), currency: w.currency });
      payers[i].left -= move;
      payees[j].left -= move;
      if (payers[i].left === 0n) i++;
      if (payees[j].left === 0n) j++;
    }
    return out;
  }
  function matrixTable(instructions, currency) {
    const payers = [...new Set(instructions.map((x) => x.payer))].sort();
    const payees = [...new Set(instructions.map((x) => x.payee))].sort();
    const owed = new Map(instructions.map((x) => [x.payer + ">" + x.payee, x.amount]));
    return el("table", { class: "matrix" },
      el("thead", null, el("tr", null, el("th", { class: "l", text: "pays ↓ · to →" }), ...payees.map((p) => el("th", { title: bankName(p), text: p })))),
      el("tbody", null, ...payers.map((payer) => el("tr", { "data-payer": payer }, el("th", { class: "payer", title: bankName(payer), text: payer }),
        ...payees.map((payee) => { const a = owed.get(payer + ">" + payee); return a ? cell(money(a), "owed") : cell("·", "zero"); })))),
      el("caption", { class: "muted small", text: "amounts in " + currency }));
  }
  // grossNetChart sets what settling each payment on its own would move
  // (gross) against what the window moves (net).
  function grossNetChart(w) {
    const gross = chartValue(w.gross), net = chartValue(w.net);
    const W = 400, scale = gross > 0 ? W / gross : 0;
    const bar = (cls, v, text) => el("div", { class: "gnRow" }, el("span", { class: "gnLabel", text: cls }),
      el("div", { class: "bar" }, svg("svg", { viewBox: `0 0 ${W} 12`, preserveAspectRatio: "none", role: "img", "aria-label": cls + " " + text },
        svg("rect", { class: "track", x: 0, y: 0, width: W, height: 12 }), svg("rect", { class: cls, x: 0, y: 0, width: (v * scale).toFixed(1), height: 12 }))),
      el("span", { class: "gnValue", text: text }));
    return el("div", { class: "grossNet" }, bar("gross", gross, money(w.gross, w.currency)), bar("net", net, money(w.net, w.currency)));
  }
  function reportButtons(w) {
    if (me.role !== "operator" || w.status === "open") return null;
    const base = "/v1/settlement/windows/" + encodeURIComponent(w.id) + "/instructions";
    const get = (accept, name) => async () => {
      try { await download(base, accept, name); } catch (err) { say($("setMessage"), w.id + ": " + err.message, "bad"); }
    };
    return el("span", { class: "reports" },
      el("button", { type: "button", class: "secondary small csv", text: "CSV", onclick: get("text/csv", w.id + "-instructions.csv") }), " ",
      el("button", { type: "button", class: "secondary small pacs009", text: "pacs.009", onclick: get("application/xml", w.id + "-pacs009.xml") }));
  }
  const windowCards = new Map(); // id/status -> {card, update}
  function windowCard(w) {
    const body = el("div", { class: "windowBody" });
    const message = $("setMessage");
    const c = confirmer();
    const actions = el("div", { class: "decide" });
    const act = async (what) => {
      const res = await send("POST", "/v1/settlement/windows/" + encodeURIComponent(w.id) + "/" + what);
      if (res.ok) {
        const x = res.data;
        say(message, what === "close"
          ? "Closed " + x.id + ": " + count(x.payments, "payment") + ", gross " + money(x.gross, x.currency) + ", net " + money(x.net, x.currency) + "; the next window is open."
          : "Settled " + x.id + " at " + utc(x.settled_at) + ": every net position moved back against the banks' settlement accounts.", "ok");
      } else {
        say(message, w.id + " not " + (what === "close" ? "closed" : "settled") + ": " + refusalText(res), "bad");
      }
      await tick();
    };
    let current = w;
    if (me.role === "operator" && w.status === "open") {
      actions.append(el("button", { type: "button", class: "closeWindow", text: "Close…", onclick: () => c.ask("Close " + current.id + "? Its " + count(current.payments, "payment") + " (gross " + money(current.gross, current.currency) +
        ", net " + money(current.net, current.currency) + ") are fixed for settlement, and the next window opens at once.", "Yes, close", "", () => act("close")) }));
    }
    if (me.role === "operator" && w.status === "closed") {
      actions.append(el("button", { type: "button", class: "settleWindow", text: "Settle…", onclick: () => c.ask("Settle " + current.id + "? Confirm only once the settlement bank has executed its " + count((current.instructions || []).length, "instruction") +
        ": every net position then moves back against the banks' settlement accounts, once.", "Yes, settle", "", () => act("settle")) }), reportButtons(w));
    }
    const card = el("section", { class: "card window", "data-window": w.id, "data-status": w.status }, body, actions, c.node);
    const update = (x) => {
      current = x;
      const instructions = x.status === "open" ? projectInstructions(x) : x.instructions || [];
      const op = me.role === "operator";
      put(body,
        el("h2", null, x.id + " ", el("span", { class: "badge " + x.status, text: x.status }), " ",
          el("span", { class: "muted", text: [(x.status === "open" ? "open since " : "closed ") + utc(x.status === "open" ? x.opened_at : x.closed_at),
            local(x.status === "open" ? x.opened_at : x.closed_at, currencyCountry(x.currency))].filter(Boolean).join(" · ") })),
        el("div", { class: "stats" },
          el("div", null, el("span", { text: "payments" }), el("b", { class: "payments", text: groupDigits(String(x.payments)) })),
          el("div", null, el("span", { text: "gross" }), el("b", { class: "gross", text: money(x.gross, x.currency) })),
          el("div", null, el("span", { text: "net" }), el("b", { class: "net", text: money(x.net, x.currency) })),
          el("div", null, el("span", { text: "net / gross" }), el("b", { class: "ratio", text: percentOf(x.netting_ratio) }))),
        op ? grossNetChart(x) : null,
        el("h3", { text: op ? "Positions" : "Your position" }),
        x.positions.length === 0 ? el("p", { class: "muted", text: "no payment in this window yet" }) : el("table", { class: "positions" }, el("thead", null, el("tr", null, ...["bank", "sent", "received", "net"].map((h, i) => el("th", { class: i ? "" : "l", text: h })))),
          el("tbody", null, ...x.positions.map((p) => el("tr", { "data-participant": p.participant },
            el("td", { class: "l" }, p.participant === "SWITCH" ? "the switch (fee income)" : bankName(p.participant), el("span", { class: "sub", text: p.participant })),
            cell(money(p.sent, x.currency)), cell(money(p.received, x.currency)),
            cell(money(p.net, x.currency) + (p.net.startsWith("-") ? " pays" : minor(p.net) && minor(p.net).v > 0n ? " receives" : ""), "net " + (p.net.startsWith("-") ? "negative" : "positive")))))),
        ...(instructions.length ? [el("h3", { text: x.status === "open" ? "Who would owe whom if it closed now" : "Who owes whom" }), matrixTable(instructions, x.currency)] : []));
    };
    update(w);
    return { card, update, get confirming() { return c.open; } };
  }
  function placeWindows(container, list) {
    const keep = new Set();
    for (const w of list.slice().sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const key = w.id + "/" + w.status;
      keep.add(key);
      let x = windowCards.get(key);
      if (!x) {
        x = windowCard(w);
        windowCards.set(key, x);
      } else {
        x.update(w);
      }
      container.append(x.card); // in order of id: appending moves a card already there
    }
    for (const [key, x] of windowCards) {
      if (!keep.has(key) && x.card.parentElement === container) { x.card.remove(); windowCards.delete(key); }
    }
  }
  // Settled windows only grow, and the API lists them all: they are read
  // when the page opens, after an action, and every minute, not at every
  // refresh.
  let settledRead = 0, closedShown = "";
  pages.settlement = {
    every: 4000,
    reset() { windowCards.forEach((x) => x.card.remove()); windowCards.clear(); say($("setMessage"), ""); settledRead = 0; closedShown = ""; },
    async load() {
      await loadBanks();
      const [open, closed] = await Promise.all(["open", "closed"].map((s) => api("/v1/settlement/windows?status=" + s)));
      placeWindows($("windowsOpen"), open.windows);
      placeWindows($("windowsClosed"), closed.windows);
      $("windowsClosedEmpty").hidden = closed.windows.length > 0;
      // A window settled since the last read leaves the closed ones.
      const closedIDs = closed.windows.map((w) => w.id).join(",");
      if (Date.now() - settledRead < 60000 && closedIDs === closedShown) return;
      closedShown = closedIDs;
      settledRead = Date.now();
      const settled = await api("/v1/settlement/windows?status=settled");
      const done = settled.windows.slice().reverse().slice(0, 30);
      fill($("windowsSettled").tBodies[0], done.map((w) => el("tr", { "data-window": w.id },
        cell(w.id, "l"), whenCell(w.closed_at, currencyCountry(w.currency)), whenCell(w.settled_at, currencyCountry(w.currency)),
        cell(groupDigits(String(w.payments))), cell(money(w.gross, w.currency)), cell(money(w.net, w.currency)), cell(percentOf(w.netting_ratio)),
        el("td", { class: "l" }, reportButtons(w)))));
      $("windowsSettledEmpty").hidden = done.length > 0;
    },
  };

  // --- rates and corridors ----------------------------------------------------

  let corridorShown = "";
  function rateChart(series) {
    const W = 280, H = 80, P = 6;
    const values = series.map((q) => chartValue(q.rate));
    const times = series.map((q) => parseTime(q.as_of).getTime());
    const lo = Math.min(...values), hi = Math.max(...values);
    const t0 = Math.min(...times), t1 = Math.max(...times);
    const x = (t) => (t1 === t0 ? W / 2 : P + (W - 2 * P) * (t - t0) / (t1 - t0));
    const y = (v) => (hi === lo ? H / 2 : H - P - (H - 2 * P) * (v - lo) / (hi - lo));
    const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "rate history" }, svg("line", { class: "axis", x1: 0, x2: W, y1: H - 0.5, y2: H - 0.5 }));
    if (series.length > 1) {
      chart.append(svg("polyline", { fill: "none", stroke: "#2f5fb3", "stroke-width": 1.5, points: series.map((q, i) => x(times[i]).toFixed(1) + "," + y(values[i]).toFixed(1)).join(" ") }));
    }
    series.forEach((q, i) => chart.append(svg("circle", { cx: x(times[i]).toFixed(1), cy: y(values[i]).toFixed(1), r: 3, fill: "#2f5fb3" }, svg("title", null, utc(q.as_of) + " · " + q.rate))));
    return chart;
  }
  const corridorFields = [
    ["cfFXProvider", "fx_provider", "select"], ["cfRateSource", "rate_source", "source"], ["cfRateMaxAge", "rate_max_age_seconds", "integer"],
    ["cfFeePercent", "fee.percent", "decimal"], ["cfFeeFixed", "fee.fixed", "amount"], ["cfFeeMin", "fee.min", "amount"], ["cfFeeMax", "fee.max", "amount?"],
    ["cfLimit", "limit_per_payment", "amount"], ["cfDaily", "daily_limit_per_debtor", "amount?"], ["cfMargin", "margin_percent", "decimal"],
    ["cfSettlementDays", "settlement_days", "integer"], ["cfQuoteTTL", "quote_ttl_seconds", "integer"], ["cfReservation", "reservation_timeout_seconds", "integer"],
    ["cfThursday", "thursday_is_business_day", "boolean"]];
  // corridorValues are a corridor's settings as the form shows them.
  function corridorValues(c) {
    return {
      fx_provider: c.fx_provider, rate_source: c.rate_source, rate_max_age_seconds: String(c.rate_max_age_seconds), "fee.percent": c.fee.percent || "0",
      "fee.fixed": c.fee.fixed || "", "fee.min": c.fee.min || "", "fee.max": c.fee.max || "", limit_per_payment: c.limit_per_payment.amount,
      daily_limit_per_debtor: c.daily_limit_per_debtor || "", margin_percent: c.margin_percent, settlement_days: String(c.settlement_days),
      quote_ttl_seconds: String(c.quote_ttl_seconds), reservation_timeout_seconds: String(c.reservation_timeout_seconds || 0),
      thursday_is_business_day: String(c.thursday_is_business_day),
    };
  }
  function showCorridor(c) {
    const v = corridorValues(c);
    const providers = [...banks.values()].filter((p) => (p.roles || []).includes("fx_provider") && p.currencies.includes(c.source) && p.currencies.includes(c.target)).map((p) => p.id);
    if (!providers.includes(c.fx_provider)) providers.unshift(c.fx_provider);
    $("cfFXProvider").replaceChildren(...providers.map((id) => el("option", { value: id, text: bankLabel(id) })));
    for (const [id, field] of corridorFields) {
      $(id).value = v[field];
      $(id).classList.remove("invalid");
    }
    fill($("corridorChanges").tBodies[0], c.changes.slice().reverse().map((ch) => [whenCell(ch.at), cell(ch.by, "l"), cell(ch.fields.join(", ") || "nothing", "l wrap")]));
  }
  const fieldRules = {
    amount: [/^\d+(\.\d+)?$/, "an amount: digits with an optional decimal part, such as 20000000.00; no separators or signs"],
    "amount?": [/^(\d+(\.\d+)?)?$/, "an amount (digits with an optional decimal part), or empty for none"],
    decimal: [/^\d+(\.\d+)?$/, "a decimal number such as 1.00"],
    integer: [/^\d+$/, "a whole number of seconds or days"],
    source: [/^[a-z0-9_-]{1,32}$/, "1 to 32 of a-z, 0-9, _ and -"],
  };
  $("cfCorridor").addEventListener("change", () => {
    const c = (corridorsCache || []).find((x) => x.corridor === $("cfCorridor").value);
    say($("corridorMessage"), "");
    if (c) { corridorShown = c.corridor; showCorridor(c); }
  });
  $("corridorForm").addEventListener("submit", async (e) => {
    e.preventDefault();
    const c = (corridorsCache || []).find((x) => x.corridor === $("cfCorridor").value);
    if (!c) return;
    const before = corridorValues(c);
    const patch = {};
    let feeChanged = false;
    for (const [id, field, kind] of corridorFields) {
      const input = $(id);
      const v = input.value.trim();
      input.classList.remove("invalid");
      const rule = fieldRules[kind];
      if (rule && !rule[0].test(v)) {
        input.classList.add("invalid");
        input.focus();
        say($("corridorMessage"), "not saved: " + field + " must be " + rule[1] + ".", "bad");
        return;
      }
      if (v === before[field]) continue;
      if (field.startsWith("fee.")) { feeChanged = true; continue; }
      if (kind === "integer") patch[field] = Number(v);
      else if (kind === "boolean") patch[field] = v === "true";
      else if (field === "daily_limit_per_debtor") patch[field] = v || "0";
      else patch[field] = v;
    }
    if (feeChanged) {
      // A fee schedule is replaced whole.
      patch.fee = { percent: $("cfFeePercent").value.trim() || "0" };
      for (const [id, k] of [["cfFeeFixed", "fixed"], ["cfFeeMin", "min"], ["cfFeeMax", "max"]]) if ($(id).value.trim()) patch.fee[k] = $(id).value.trim();
    }
    if (!Object.keys(patch).length) { say($("corridorMessage"), "nothing changed", "muted"); return; }
    $("cfSave").disabled = true;
    const res = await sendJSON("PUT", "/v1/corridors/" + c.source + "-" + c.target, patch);
    $("cfSave").disabled = false;
    if (!res.ok) {
      const field = res.data && res.data.field;
      const input = field && document.querySelector('#corridorForm [data-field="' + (field.startsWith("fee.") || field === "fee" ? (field === "fee" ? "fee.percent" : field) : field) + '"]');
      if (input) { input.classList.add("invalid"); input.focus(); }
      say($("corridorMessage"), "not saved: " + refusalText(res), "bad");
      return;
    }
    const saved = res.data;
    const last = saved.changes[saved.changes.length - 1];
    say($("corridorMessage"), "saved " + saved.corridor + ": " + (last && last.fields.length ? last.fields.join(", ") : "nothing") + " changed.", "ok");
    corridorsCache = (corridorsCache || []).map((x) => (x.corridor === saved.corridor ? saved : x));
    showCorridor(saved);
    await tick();
  });
  $("rateForm").addEventListener("submit", async (e) => {
    e.preventDefault();
    const base = $("rfBase").value.trim().toUpperCase(), quote = $("rfQuote").value.trim().toUpperCase(), rate = $("rfRate").value.trim(), source = $("rfSource").value.trim() || "manual";
    for (const id of ["rfBase", "rfQuote", "rfRate", "rfSource"]) $(id).classList.remove("invalid");
    const bad = (id, text) => { $(id).classList.add("invalid"); $(id).focus(); say($("rateMessage"), "not set: " + text, "bad"); };
    if (!/^[A-Z]{3}$/.test(base)) return bad("rfBase", "base must be a currency code such as RUB");
    if (!/^[A-Z]{3}$/.test(quote)) return bad("rfQuote", "quote must be a currency code such as IRR");
    if (!/^\d+(\.\d+)?$/.test(rate)) return bad("rfRate", "rate must be a positive decimal such as 7286.05");
    if (!/^[a-z0-9_-]{1,32}$/.test(source)) return bad("rfSource", "source must be 1 to 32 of a-z, 0-9, _ and -");
    const res = await sendJSON("POST", "/v1/rates", { base, quote, rate, source });
    if (!res.ok) {
      const id = { base: "rfBase", quote: "rfQuote", rate: "rfRate", source: "rfSource" }[res.data && res.data.field];
      if (id) $(id).classList.add("invalid");
      say($("rateMessage"), "not set: " + refusalText(res), "bad");
      return;
    }
    say($("rateMessage"), "set " + base + "/" + quote + " at " + groupDigits(res.data.rate) + " (" + res.data.source + ")", "ok");
    await tick();
  });
  pages.rates = {
    every: 10000,
    reset() { corridorShown = ""; },
    async load() {
      await loadBanks();
      const [rates, corridors] = await Promise.all([api("/v1/rates"), loadCorridors(true)]);
      const series = new Map();
      for (const q of rates.rates) {
        const key = q.base + "/" + q.quote + " · " + q.source;
        if (!series.has(key)) series.set(key, []);
        series.get(key).push(q);
      }
      const rows = [];
      for (const [key, list] of series) {
        const q = list[list.length - 1];
        const stale = corridors.filter((c) => c.rate_source === q.source && ((c.source === q.base && c.target === q.quote) || (c.source === q.quote && c.target === q.base)) && ageSeconds(q.as_of) > c.rate_max_age_seconds);
        rows.push(el("tr", { "data-pair": q.base + "/" + q.quote, "data-source": q.source },
          cell(q.base + "/" + q.quote, "l"), cell(groupDigits(q.rate), "rate"), cell(q.source, "l"), whenCell(q.as_of),
          el("td", { class: "l age" }, age(q.as_of), ...stale.map((c) => el("span", { class: "badge bad", text: "stale for " + c.corridor }))),
          whenCell(q.received)));
      }
      fill($("ratesTable").tBodies[0], rows);
      $("rateCharts").replaceChildren(...[...series].map(([key, list]) => el("div", { class: "multiple", "data-series": key },
        el("div", null, el("b", { text: key }), " ", el("span", { class: "muted", text: list.length + (list.length === 1 ? " quote kept" : " quotes kept") })),
        el("div", null, el("b", { text: groupDigits(list[list.length - 1].rate) }), el("span", { class: "muted", text: " as of " + utc(list[list.length - 1].as_of) })),
        rateChart(list))));
      fill($("corridorsTable").tBodies[0], corridors.map((c) => el("tr", { "data-corridor": c.corridor },
        cell(c.corridor, "l"), cell(bankLabel(c.fx_provider), "l"), cell(c.rate_source + ", at most " + duration(c.rate_max_age_seconds) + " old", "l"),
        cell(feeText(c.fee, c.source)), cell(limitText(c.limit_per_payment.amount, c.limit_per_payment.currency)),
        cell(limitText(c.daily_limit_per_debtor, c.source)),
        cell(c.settlement_days === 0 ? "same day" : "+" + c.settlement_days + " business day" + (c.settlement_days > 1 ? "s" : ""), "l"),
        cell(duration(c.quote_ttl_seconds), "l"), cell(c.senders.length ? c.senders.join(", ") : "any bank", "l"))));
      if (me.role === "operator") {
        setOptions($("cfCorridor"), corridors.map((c) => c.corridor));
        $("cfCorridor").firstChild.hidden = true;
        if (!corridorShown && corridors.length) {
          corridorShown = corridors[0].corridor;
          $("cfCorridor").value = corridorShown;
          showCorridor(corridors[0]);
        }
      }
    },
  };

  // --- calendars --------------------------------------------------------------

  function isoDay(d) { return d.toISOString().slice(0, 10); }
  function monthTable(year, month, days, today) {
    const first = new Date(Date.UTC(year, month, 1));
    const name = first.toLocaleString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
    const lead = (first.getUTCDay() + 6) % 7; // Monday first
    const count = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const cells = [];
    for (let i = 0; i < lead; i++) cells.push(el("td"));
    for (let d = 1; d <= count; d++) {
      const date = isoDay(new Date(Date.UTC(year, month, d)));
      const day = days.get(date);
      // A day off is a weekend, or a holiday, closure or day off moved
      // there ("transfer"); a weekday-named working day is a business day.
      const kind = !day ? "nodata" : day.business_day ? (day.name ? "business working" : "business") : day.reason === "weekend" ? "weekend" : "dayoff " + (day.reason || "");
      cells.push(el("td", { class: kind + (date === today ? " today" : ""), "data-date": date, title: date + (day && day.name ? " · " + day.name : day && !day.business_day ? " · " + (day.reason || "closed") : "") }, String(d)));
    }
    const rows = [];
    for (let i = 0; i < cells.length; i += 7) rows.push(el("tr", null, ...cells.slice(i, i + 7)));
    return el("table", { class: "month" }, el("caption", { text: name }),
      el("thead", null, el("tr", null, ...["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"].map((d) => el("th", { text: d })))), el("tbody", null, ...rows));
  }
  pages.calendars = {
    every: 60000,
    async load() {
      await loadBanks();
      const overview = await loadCalendarsOverview(true);
      const have = new Set(overview.countries.map((c) => c.country));
      fill($("valueDates").tBodies[0], overview.corridors.map((c) => {
        const missing = [c.source_country, c.target_country].filter((x) => !have.has(x));
        return el("tr", { "data-corridor": c.corridor }, cell(c.corridor, "l"),
          c.value_date ? cell(c.value_date, "l valueDate") : cell(c.code === "calendar_country_unknown" ? "no calendar (" + missing.join(", ") + ")" : "none: " + c.detail, "l valueDate muted"),
          c.deadline ? whenCell(c.deadline, c.target_country, c.source_country) : cell("–", "l"));
      }));
      const now = new Date();
      const y = now.getUTCFullYear(), m = now.getUTCMonth();
      const from = isoDay(new Date(Date.UTC(y, m, 1))), to = isoDay(new Date(Date.UTC(y, m + 2, 0)));
      const listings = await Promise.all(overview.countries.map((c) => api("/v1/calendars/" + c.country + "?from=" + from + "&to=" + to)));
      $("calendars").replaceChildren(...overview.countries.map((c, i) => {
        const days = new Map(listings[i].days.map((d) => [d.date, d]));
        const today = new Intl.DateTimeFormat("en-CA", { timeZone: c.time_zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
        const named = listings[i].days.filter((d) => d.name || (!d.business_day && d.reason && d.reason !== "weekend"));
        const inBanks = [...banks.values()].filter((b) => b.country === c.country).map((b) => b.name);
        return el("section", { class: "card calendar", "data-country": c.country },
          el("h2", null, c.country + " ", el("span", { class: "muted", text: c.time_zone + " · now " + local(now.toISOString(), c.country) + (inBanks.length ? " · " + inBanks.join(", ") : "") })),
          el("div", { class: "monthPair" }, monthTable(y, m, days, today), monthTable(m === 11 ? y + 1 : y, (m + 1) % 12, days, today)),
          named.length ? el("ul", { class: "holidays" }, ...named.map((d) => el("li", { "data-date": d.date }, el("b", { text: d.date }), " " + (d.name || d.reason) + (d.business_day ? " (working day)" : "")))) :
            el("p", { class: "muted", text: "no holiday these two months" }));
      }));
      const without = [...new Set([...banks.values()].map((b) => b.country))].filter((c) => c && !have.has(c)).sort();
      $("noCalendarsCard").hidden = without.length === 0;
      $("noCalendars").textContent = without.map((c) => c + " (" + [...banks.values()].filter((b) => b.country === c).map((b) => b.name).join(", ") + ")").join("; ") +
        (without.length ? ": no business calendar yet, so their payments have no value date and no deadline." : "");
    },
  };

  // --- trade: the corridor, its shipments and the payments waiting on them ---

  // The map is drawn from the corridor's own coordinates in a spherical
  // Mercator projection (x = λ, y = ln tan(π/4 + φ/2), both in degrees),
  // which keeps the Caspian's shape at these latitudes; no tile, no data
  // from elsewhere. By default it fits the nodes of the corridor's routes
  // with a margin and leaves out the legs that only the sea route through
  // Suez takes: that route runs round Europe, over four times the area,
  // and at one scale with it the Caspian, where the corridor's story is
  // (the gauge change at Astara, the Rasht–Astara railway not yet built),
  // would shrink to a few pixels. A checkbox refits the map to every node
  // and lane, so that both routes are seen at one scale; the comparison
  // panel sets their figures side by side. An inset would show the sea
  // route too small to read and need a second projection for little gain.
  //
  // Drawing aids, not data: nothing is computed from them. The coasts near
  // the corridor as a handful of points, and the waypoints of sea lanes so
  // that a ship's leg is not drawn across land. [latitude, longitude] in
  // degrees, read off a general atlas to about a tenth of a degree.
  const mapCoasts = [
    // The Caspian Sea, a closed shore, clockwise from Astara: Lankaran,
    // the Kura delta, Alat, Baku, the Absheron peninsula's tip, Sumqayit,
    // Nabran, Derbent, Makhachkala, the Agrakhan peninsula, Kizlyar Bay,
    // Lagan, the Volga delta, Atyrau at the Ural's mouth, the north-east
    // corner, Komsomolets Bay, the Buzachi peninsula, Tyub-Karagan, Aktau,
    // Kenderli, the Kara-Bogaz-Gol strait, Turkmenbashi, Esenguly, Gorgan
    // Bay, Babolsar, Nowshahr, Ramsar, Kiashahr, Bandar Anzali.
    { name: "Caspian Sea", closed: true, label: [42.0, 50.6], points: [[38.43, 48.89], [38.75, 48.87], [39.38, 49.3], [39.95, 49.45], [40.35, 49.9],
      [40.45, 50.37], [40.6, 49.65], [41.8, 48.65], [42.06, 48.32], [42.98, 47.52], [43.75, 47.55], [44.3, 47.2], [45.4, 47.37], [45.85, 48.0],
      [46.0, 49.2], [46.95, 51.85], [46.6, 53.1], [45.4, 53.2], [45.25, 51.0], [44.6, 50.3], [43.65, 51.17], [42.7, 52.5], [41.05, 52.9],
      [40.0, 52.95], [37.47, 53.97], [36.85, 53.9], [36.72, 52.65], [36.65, 51.5], [36.93, 50.65], [37.42, 49.95], [37.47, 49.46]] },
    // The north shore of the Persian Gulf and the Arabian Sea: the Shatt
    // al-Arab, Bushehr, Asaluyeh, Bandar Lengeh, Bandar Abbas, Minab,
    // Jask, Chabahar, Gwadar, Ormara, Karachi, the Indus delta, Kori
    // Creek, Okha, Porbandar, Veraval, Diu, Bhavnagar, Khambhat, Surat,
    // Daman, Mumbai, Ratnagiri.
    { name: "Arabian Sea", label: [19.5, 64.5], points: [[29.9, 48.6], [28.97, 50.83], [27.5, 52.6], [26.56, 54.88], [27.12, 56.1], [26.95, 57.05],
      [25.64, 57.77], [25.29, 60.62], [25.12, 62.33], [25.2, 64.64], [24.85, 66.98], [24.0, 67.4], [23.5, 68.4], [22.47, 69.07], [21.64, 69.6],
      [20.9, 70.37], [20.71, 70.98], [21.77, 72.15], [22.3, 72.6], [21.1, 72.68], [20.41, 72.83], [18.95, 72.82], [17.0, 73.27]] },
    // Arabia's shore across the Gulf and the Strait of Hormuz: Ruwais,
    // Abu Dhabi, Dubai, Ras al-Khaimah, the Musandam peninsula, Fujairah,
    // Sohar, Muscat, Ras al Hadd.
    { name: "Persian Gulf", label: [26.9, 51.6], points: [[24.1, 52.6], [24.45, 54.37], [25.27, 55.3], [25.8, 56.0], [26.38, 56.42], [25.35, 56.36],
      [24.35, 56.75], [23.6, 58.6], [22.53, 59.8]] },
  ];
  const mapSeaLanes = {
    // The Gulf of Oman and the Strait of Hormuz.
    "nhava_sheva-bandar_abbas": [[25.0, 58.0], [26.55, 56.6]],
    // Across the Caspian east of the Absheron peninsula, into the Volga.
    "bandar_anzali-astrakhan": [[38.6, 50.3], [40.3, 51.0], [42.5, 49.7], [44.5, 48.4], [45.75, 48.3]],
    // North of Socotra, the Gulf of Aden, Bab-el-Mandeb (12.6°N 43.4°E,
    // as the leg's source has it), the Red Sea, the Gulf of Suez.
    "nhava_sheva-suez": [[13.3, 53.0], [12.4, 46.0], [12.6, 43.4], [20.0, 38.8], [27.7, 33.8]],
    // South of Crete, the Strait of Sicily, off Algeria, Gibraltar, Cape
    // St Vincent, Finisterre, Ushant, the Channel, Dover, the North Sea,
    // the Skagerrak, the Kattegat, the Øresund, south of Sweden, east of
    // Gotland, the Gulf of Finland.
    "port_said-st_petersburg": [[33.8, 25.0], [37.3, 11.6], [37.9, 9.5], [37.5, 2.0], [36.0, -4.0], [35.95, -5.6], [36.8, -9.6], [43.3, -10.0],
      [48.6, -5.6], [50.0, -2.0], [51.0, 1.45], [53.5, 3.5], [55.5, 7.2], [57.3, 7.8], [57.9, 10.6], [56.2, 12.5], [55.3, 12.75], [55.15, 14.0],
      [55.6, 16.0], [57.5, 19.5], [59.4, 22.5], [59.95, 26.5]],
  };
  // Limits of the map and the list.
  const mapWidthPixels = 640, mapHeightMaxPixels = 780, mapHeightMinPixels = 360, mapMarginPixels = 30;
  const mapShipsPerNodeMax = 12; // markers drawn at one node; the rest are counted
  // The inset enlarges, in a free corner, at least this many degrees
  // around the gauge change and the legs not yet built.
  const mapInsetWidthPixels = 220, mapInsetHeightPixels = 200, mapInsetSpanDegrees = 2.2;
  const shipmentsShownMax = 50; // newest first
  // A milestone is late, or overdue, an hour past its expected time: plans
  // count in whole hours.
  const milestoneGraceSeconds = 3600;

  const tradeKinds = { port: "port", rail: "rail junction", border: "border crossing", city: "city" };
  const trade = {
    corridor: null, compare: null, nodes: new Map(), legs: new Map(), routes: new Map(),
    seaOnly: new Set(), // the legs only the compared sea route takes
    shownKey: "", route: "", ship: "", shipments: [], project: null, inset: null,
  };
  function shortName(node) { return node.name.split(/\s*[(,]/)[0].trim(); }
  // nodeName is a node's short name, with its country where two nodes
  // share one: "Astara (IR)", "Astara (AZ)".
  function nodeName(id) {
    const n = trade.nodes.get(id);
    if (!n) return id;
    const same = [...trade.nodes.values()].filter((m) => shortName(m) === shortName(n));
    return shortName(n) + (same.length > 1 ? " (" + n.country + ")" : "");
  }
  function routeName(id) { const r = trade.routes.get(id); return r ? r.name : id; }
  function mercator(lat, lon) { return [lon, Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)) * 180 / Math.PI]; }
  function degrees(v, pos, neg) { return Math.abs(v).toFixed(4) + "° " + (v >= 0 ? pos : neg); }
  function km(n) { return groupDigits(String(n)) + " km"; }
  function nodeInfo(n) {
    return {
      title: n.name,
      lines: [tradeKinds[n.kind] + " · " + n.country + " · " + degrees(n.lat, "N", "S") + ", " + degrees(n.lon, "E", "W") + (n.estimated ? " · position estimated" : "")],
      source: n.source,
    };
  }
  function legInfo(l) {
    const on = [...trade.routes.values()].filter((r) => r.legs.includes(l.id)).map((r) => r.id);
    return {
      title: nodeName(l.from) + " → " + nodeName(l.to) + " by " + l.mode,
      lines: [km(l.distance_km) + " at " + groupDigits(String(l.speed_km_per_day)) + " km/day, then " + l.dwell_hours + " h at " + nodeName(l.to) +
        (l.gauge_change ? " · the gauge changes here" : "") + (l.planned ? " · planned, not built" : "") + (l.estimated ? " · figures partly estimated" : ""),
      "routes: " + (on.join(", ") || "none")],
      source: l.source,
    };
  }
  function infoText(i) { return [i.title, ...i.lines, "source: " + i.source].join("\n"); }
  function showInfo(i) {
    put($("mapInfo"), el("b", { text: i.title }), ...i.lines.map((t) => el("span", { class: "sub", text: t })), el("span", { class: "sub source", text: "source: " + i.source }));
    $("mapInfo").classList.remove("muted");
  }
  // pointable makes a map element show its figures when pointed at or
  // focused, with the same text as its tooltip.
  function pointable(g, info) {
    g.setAttribute("tabindex", "0");
    g.setAttribute("aria-label", info.title);
    g.prepend(svg("title", null, infoText(info)));
    g.addEventListener("mouseenter", () => showInfo(info));
    g.addEventListener("focus", () => showInfo(info));
    return g;
  }
  // seaOnlyLegs are the legs of the compared route (b) that no other
  // route takes.
  function seaOnlyLegs() {
    const b = trade.compare && trade.compare.b ? trade.compare.b.route : "";
    const others = new Set(trade.corridor.routes.filter((r) => r.id !== b).flatMap((r) => r.legs));
    const rb = trade.routes.get(b);
    return new Set(rb ? rb.legs.filter((id) => !others.has(id)) : []);
  }
  // legPoints are the points a leg is drawn through: its ends and its
  // lane's waypoints.
  function legPoints(l) {
    const a = trade.nodes.get(l.from), b = trade.nodes.get(l.to);
    return [[a.lat, a.lon], ...(l.mode === "sea" && mapSeaLanes[l.id] ? mapSeaLanes[l.id] : []), [b.lat, b.lon]];
  }
  // labelBox is the space a label takes, estimated from its length.
  function labelBox(x, y, text, anchor) {
    const w = text.length * 6.2 + 2, h = 12;
    const x0 = anchor === "end" ? x - w : anchor === "middle" ? x - w / 2 : x;
    return { x0, y0: y - 10, x1: x0 + w, y1: y - 10 + h };
  }
  function overlaps(a, b) { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1; }
  // placeLabels puts each label where it hits no other label, no point
  // and stays inside W×H: beside its point, else above or below it, else
  // further up or down with a leader line to it, else nowhere (the node
  // keeps its tooltip, and the inset may name it).
  function placeLabels(items, points, taken, W, H) {
    taken = [...taken, ...points.map(([x, y]) => ({ x0: x - 5, y0: y - 5, x1: x + 5, y1: y + 5 }))];
    const out = [];
    for (const it of items) {
      const candidates = [[9, 4, "start"], [-9, 4, "end"], [0, 17, "middle"], [0, -9, "middle"], [8, 14, "start"], [-8, 14, "end"], [8, -6, "start"], [-8, -6, "end"]];
      for (const dy of [24, -24, 36, -36, 48, -48]) candidates.push([14, dy, "start"], [-14, dy, "end"]);
      const mine = (t) => t.x0 === it.x - 5 && t.y0 === it.y - 5;
      const chosen = candidates.find((c) => {
        const box = labelBox(it.x + c[0], it.y + c[1], it.text, c[2]);
        return box.x0 >= 2 && box.x1 <= W - 2 && box.y0 >= 2 && box.y1 <= H - 2 && !taken.some((t) => !mine(t) && overlaps(t, box));
      });
      if (!chosen) continue;
      taken.push(labelBox(it.x + chosen[0], it.y + chosen[1], it.text, chosen[2]));
      out.push({ ...it, lx: it.x + chosen[0], ly: it.y + chosen[1], anchor: chosen[2], leader: Math.abs(chosen[1]) > 17 });
    }
    return out;
  }
  const f1 = (v) => v.toFixed(1);
  function nodeShape(kind, x, y) {
    if (kind === "port") return svg("circle", { class: "shape", cx: f1(x), cy: f1(y), r: 4.5 });
    if (kind === "rail") return svg("rect", { class: "shape", x: f1(x - 3.5), y: f1(y - 3.5), width: 7, height: 7 });
    if (kind === "border") return svg("path", { class: "shape", d: `M${f1(x)} ${f1(y - 5.5)}L${f1(x + 5.5)} ${f1(y)}L${f1(x)} ${f1(y + 5.5)}L${f1(x - 5.5)} ${f1(y)}Z` });
    return svg("g", null, svg("circle", { class: "shape ring", cx: f1(x), cy: f1(y), r: 6.5 }), svg("circle", { class: "shape", cx: f1(x), cy: f1(y), r: 3 }));
  }
  // fitMercator fits [lat, lon] points into a W×H box with a margin, the
  // same scale on both axes, and returns the projection, its inverse and
  // its scale in pixels per degree of longitude.
  function fitMercator(latLons, W, H, M) {
    const pts = latLons.map(([la, lo]) => mercator(la, lo));
    const minX = Math.min(...pts.map((p) => p[0])), maxX = Math.max(...pts.map((p) => p[0]));
    const minY = Math.min(...pts.map((p) => p[1])), maxY = Math.max(...pts.map((p) => p[1]));
    const s = Math.min((W - 2 * M) / Math.max(maxX - minX, 0.1), (H - 2 * M) / Math.max(maxY - minY, 0.1));
    const ox = (W - (maxX - minX) * s) / 2, oy = (H - (maxY - minY) * s) / 2;
    return {
      s, height: (maxY - minY) * s + 2 * M,
      project: (lat, lon) => { const [x, y] = mercator(lat, lon); return [ox + (x - minX) * s, oy + (maxY - y) * s]; },
      // the latitude and longitude of a point of the box
      unproject: (x, y) => [Math.atan(Math.sinh((maxY - (y - oy) / s) * Math.PI / 180)) * 180 / Math.PI, minX + (x - ox) / s],
    };
  }
  // coastLayer draws the coasts and the names of their waters; the names'
  // places are returned for the node labels to avoid.
  function coastLayer(project, W, H, taken) {
    const g = svg("g", { class: "coasts", "aria-hidden": "true" });
    for (const coast of mapCoasts) {
      const d = coast.points.map((p, i) => (i ? "L" : "M") + project(p[0], p[1]).map(f1).join(" ")).join("") + (coast.closed ? "Z" : "");
      g.append(svg("path", { class: coast.closed ? "water" : "shore", d }));
      const [lx, ly] = project(coast.label[0], coast.label[1]);
      const box = labelBox(lx, ly, coast.name, "middle");
      if (box.x0 > 4 && box.x1 < W - 4 && box.y0 > 4 && box.y1 < H - 4) {
        g.append(svg("text", { class: "waterName", x: f1(lx), y: f1(ly), "text-anchor": "middle" }, coast.name));
        taken.push(box);
      }
    }
    return g;
  }
  // networkLayers draws legs coloured by mode (two legs between the same
  // nodes bow apart), the gauge change, the nodes by kind and their names.
  // The main map draws an element for every leg and node, hiding those
  // left out; the inset only those it shows, under attributes of its own.
  function networkLayers(project, shownLegs, shownNodes, W, H, taken, inset) {
    const c = trade.corridor;
    const att = inset ? { leg: "data-inset-leg", node: "data-inset-node", gauge: "data-inset-gauge-leg" } : { leg: "data-leg", node: "data-node", gauge: "data-gauge-leg" };
    const pairs = new Map();
    for (const l of shownLegs) {
      const key = [l.from, l.to].sort().join("|");
      if (!pairs.has(key)) pairs.set(key, []);
      pairs.get(key).push(l.id);
    }
    const legLayer = svg("g", { class: "legs" });
    for (const l of inset ? shownLegs : c.legs) {
      const g = svg("g", { class: "leg " + l.mode + (l.planned ? " planned" : "") + (l.gauge_change ? " gauge" : ""), [att.leg]: l.id, "data-mode": l.mode });
      if (!shownLegs.includes(l)) {
        g.setAttribute("display", "none");
      } else {
        const pts = legPoints(l).map((p) => project(p[0], p[1]));
        let d = "M" + pts.map((p) => p.map(f1).join(" ")).join("L");
        const twins = pairs.get([l.from, l.to].sort().join("|"));
        if (twins.length > 1 && pts.length === 2) {
          const k = twins.indexOf(l.id) - (twins.length - 1) / 2;
          const [a, b] = l.from < l.to ? pts : [pts[1], pts[0]];
          const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
          const bow = Math.min(14, len / 3);
          const cx = (a[0] + b[0]) / 2 - (b[1] - a[1]) / len * k * bow, cy = (a[1] + b[1]) / 2 + (b[0] - a[0]) / len * k * bow;
          d = `M${f1(pts[0][0])} ${f1(pts[0][1])}Q${f1(cx)} ${f1(cy)} ${f1(pts[1][0])} ${f1(pts[1][1])}`;
        }
        g.append(svg("path", { class: "hit", d }), svg("path", { class: "line", d }));
      }
      legLayer.append(pointable(g, legInfo(l)));
    }
    // The gauge change: a mark beside the leg where the track's width
    // changes, with a leader, since the leg itself is a few kilometres.
    const marks = svg("g", { class: "gaugeMarks" });
    const labels = [], points = [];
    for (const l of shownLegs.filter((x) => x.gauge_change)) {
      const [ax, ay] = project(trade.nodes.get(l.from).lat, trade.nodes.get(l.from).lon);
      const [bx, by] = project(trade.nodes.get(l.to).lat, trade.nodes.get(l.to).lon);
      const mx = (ax + bx) / 2, my = (ay + by) / 2, gx = mx - 26, gy = my + 2;
      const info = legInfo(l);
      info.title = "Gauge change between " + nodeName(l.from) + " and " + nodeName(l.to);
      marks.append(pointable(svg("g", { class: "gaugeMark", [att.gauge]: l.id },
        svg("line", { class: "leader", x1: f1(mx), y1: f1(my), x2: f1(gx + 7), y2: f1(gy) }),
        svg("rect", { x: f1(gx - 7), y: f1(gy - 7), width: 14, height: 14, rx: 3 }),
        svg("path", { d: `M${f1(gx - 3)} ${f1(gy - 4)}V${f1(gy + 4)}M${f1(gx + 3)} ${f1(gy - 4)}V${f1(gy + 4)}` })), info));
      labels.push({ x: gx - 6, y: gy, text: "gauge change", cls: "gaugeLabel" });
      points.push([gx, gy]);
    }
    // Nodes by kind; nodes a few pixels apart with one name share a label.
    const nodeLayer = svg("g", { class: "nodes" });
    const named = [];
    const order = { city: 0, port: 1, border: 2, rail: 3 };
    for (const n of inset ? shownNodes : c.nodes) {
      const g = svg("g", { class: "node " + n.kind, [att.node]: n.id, "data-kind": n.kind });
      if (!shownNodes.includes(n)) {
        g.setAttribute("display", "none");
      } else {
        const [x, y] = project(n.lat, n.lon);
        g.append(nodeShape(n.kind, x, y));
        points.push([x, y]);
        const same = named.find((m) => m.text === shortName(n) && Math.hypot(m.x - x, m.y - y) < 12);
        if (same) same.ids.push(n.id);
        else if (x > 0 && x < W && y > 0 && y < H) named.push({ x, y, text: shortName(n), ids: [n.id], rank: order[n.kind] });
      }
      nodeLayer.append(pointable(g, nodeInfo(n)));
    }
    named.sort((a, b) => a.rank - b.rank);
    const placed = placeLabels([...labels, ...named], points, taken, W, H);
    const labelLayer = svg("g", { class: "labels", "aria-hidden": "true" });
    for (const p of placed) {
      if (p.leader) labelLayer.append(svg("line", { class: "labelLeader", x1: f1(p.x), y1: f1(p.y), x2: f1(p.anchor === "end" ? p.lx + 2 : p.lx - 2), y2: f1(p.ly - 4) }));
      labelLayer.append(svg("text", { class: p.cls || "nodeName", x: f1(p.lx), y: f1(p.ly), "text-anchor": p.anchor, [inset ? "data-inset-label-for" : "data-label-for"]: p.ids ? p.ids.join(" ") : null }, p.text));
    }
    return [legLayer, marks, nodeLayer, labelLayer];
  }
  // insetPlan finds where to enlarge the map: around the legs a reader
  // must see and cannot at the map's scale (the gauge change, the legs
  // planned but not built), in a corner of the map that no node or lane
  // takes. None if there is no such leg, or no free corner.
  function insetPlan(shownLegs, shownNodes, main, W, H) {
    const focus = shownLegs.filter((l) => l.gauge_change || l.planned).flatMap((l) => [trade.nodes.get(l.from), trade.nodes.get(l.to)]);
    if (!focus.length) return null;
    const lats = focus.map((n) => n.lat), lons = focus.map((n) => n.lon);
    const mid = [(Math.min(...lats) + Math.max(...lats)) / 2, (Math.min(...lons) + Math.max(...lons)) / 2];
    const half = Math.max(mapInsetSpanDegrees / 2, (Math.max(...lats) - Math.min(...lats)) / 2 + 0.5, (Math.max(...lons) - Math.min(...lons)) / 2 + 0.5);
    const region = { south: mid[0] - half, north: mid[0] + half, west: mid[1] - half, east: mid[1] + half };
    const inRegion = (lat, lon) => lat >= region.south && lat <= region.north && lon >= region.west && lon <= region.east;
    const [x0, y0] = main.project(region.north, region.west), [x1, y1] = main.project(region.south, region.east);
    if (x1 - x0 > mapInsetWidthPixels / 2) return null; // the map is large enough there
    const taken = [...shownNodes.map((n) => main.project(n.lat, n.lon)), ...shownLegs.flatMap((l) => legPoints(l).map((p) => main.project(p[0], p[1])))];
    const pad = 10;
    const corners = [[W - mapInsetWidthPixels - pad, pad], [pad, pad], [W - mapInsetWidthPixels - pad, H - mapInsetHeightPixels - pad], [pad, H - mapInsetHeightPixels - pad]];
    const corner = corners.find(([cx, cy]) => !taken.some(([x, y]) => x > cx - 30 && x < cx + mapInsetWidthPixels + 30 && y > cy - 20 && y < cy + mapInsetHeightPixels + 20) &&
      !(x0 < cx + mapInsetWidthPixels && cx < x1 && y0 < cy + mapInsetHeightPixels && cy < y1));
    if (!corner) return null;
    const legs = shownLegs.filter((l) => legPoints(l).some((p) => inRegion(p[0], p[1])));
    const nodes = shownNodes.filter((n) => inRegion(n.lat, n.lon));
    return { region, x: corner[0], y: corner[1], rect: [x0, y0, x1, y1], legs, nodes };
  }
  function drawInset(plan, mainScale) {
    const IW = mapInsetWidthPixels, IH = mapInsetHeightPixels;
    const r = plan.region;
    const fit = fitMercator([[r.south, r.west], [r.north, r.east]], IW, IH, 0);
    const g = svg("g", { class: "inset", transform: `translate(${f1(plan.x)} ${f1(plan.y)})` },
      svg("clipPath", { id: "insetClip" }, svg("rect", { x: 0, y: 0, width: IW, height: IH })),
      svg("rect", { class: "insetFrame", x: 0, y: 0, width: IW, height: IH }));
    const inner = svg("g", { "clip-path": "url(#insetClip)" });
    const taken = [{ x0: 0, y0: IH - 16, x1: 150, y1: IH }];
    inner.append(coastLayer(fit.project, IW, IH, taken), ...networkLayers(fit.project, plan.legs, plan.nodes, IW, IH, taken, true),
      svg("g", { class: "ships", id: "insetShipLayer" }));
    g.append(inner, svg("text", { class: "insetName", x: 6, y: IH - 6 }, "enlarged ×" + Math.round(fit.s / mainScale)));
    trade.inset = { project: fit.project, nodes: new Set(plan.nodes.map((n) => n.id)), W: IW, H: IH };
    return g;
  }
  // drawTradeMap draws the corridor: graticule, coasts, the network, the
  // inset; the shipments go on layers of their own, redrawn with each
  // read.
  function drawTradeMap() {
    const c = trade.corridor;
    const all = $("showSeaRoute").checked;
    const shownLegs = c.legs.filter((l) => all || !trade.seaOnly.has(l.id));
    const ends = new Set(shownLegs.flatMap((l) => [l.from, l.to]));
    const linked = new Set(c.legs.flatMap((l) => [l.from, l.to]));
    const shownNodes = c.nodes.filter((n) => ends.has(n.id) || !linked.has(n.id));
    const W = mapWidthPixels;
    const fitted = [...shownNodes.map((n) => [n.lat, n.lon]), ...shownLegs.flatMap((l) => legPoints(l).slice(1, -1))];
    let main = fitMercator(fitted, W, mapHeightMaxPixels, mapMarginPixels);
    const H = Math.round(Math.max(mapHeightMinPixels, main.height));
    main = fitMercator(fitted, W, H, mapMarginPixels);
    trade.project = main.project;
    trade.inset = null;
    const map = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "group", "aria-label": "map of the corridor: " + shownNodes.length + " nodes, " + shownLegs.length + " legs" },
      svg("rect", { class: "mapSea", x: 0, y: 0, width: W, height: H }));
    // Graticule, every 10 degrees.
    const grid = svg("g", { class: "graticule", "aria-hidden": "true" });
    const [latTop, lonLeft] = main.unproject(0, 0), [latBottom, lonRight] = main.unproject(W, H);
    for (let lat = Math.ceil(latBottom / 10) * 10; lat <= latTop; lat += 10) {
      const y = main.project(lat, 0)[1];
      grid.append(svg("line", { x1: 0, x2: W, y1: f1(y), y2: f1(y) }), svg("text", { x: 4, y: f1(y - 3) }, lat + "° N"));
    }
    for (let lon = Math.ceil(lonLeft / 10) * 10; lon <= lonRight; lon += 10) {
      const x = main.project(0, lon)[0];
      grid.append(svg("line", { x1: f1(x), x2: f1(x), y1: 0, y2: H }), svg("text", { x: f1(x + 3), y: H - 4 }, Math.abs(lon) + "° " + (lon < 0 ? "W" : "E")));
    }
    const taken = [];
    map.append(grid, coastLayer(main.project, W, H, taken));
    const plan = insetPlan(shownLegs, shownNodes, main, W, H);
    if (plan) {
      const [x0, y0, x1, y1] = plan.rect;
      map.append(svg("rect", { class: "insetArea", x: f1(x0), y: f1(y0), width: f1(x1 - x0), height: f1(y1 - y0) }));
      taken.push({ x0: plan.x, y0: plan.y, x1: plan.x + mapInsetWidthPixels, y1: plan.y + mapInsetHeightPixels });
    }
    map.append(...networkLayers(main.project, shownLegs, shownNodes, W, H, taken, false), svg("g", { class: "ships", id: "shipLayer" }));
    if (plan) map.append(drawInset(plan, main.s));
    $("tradeMap").replaceChildren(map);
    $("mapNote").textContent = all ? "every route, at one scale" : "the sea route through Suez is left off until asked for";
    drawShipMarks();
    applyHighlight();
  }
  function mapLegend() {
    const line = (cls) => svg("svg", { viewBox: "0 0 24 10", class: "legendLeg leg " + cls, "aria-hidden": "true" }, svg("path", { class: "line", d: "M1 5H23" }));
    const shape = (kind) => svg("svg", { viewBox: "0 0 16 16", class: "node " + kind, "aria-hidden": "true" }, nodeShape(kind, 8, 8));
    $("mapLegend").replaceChildren(
      el("span", null, line("sea"), "sea"), el("span", null, line("rail"), "rail"), el("span", null, line("road"), "road"),
      el("span", null, line("rail planned"), "planned, not built"),
      el("span", null, svg("svg", { viewBox: "0 0 16 16", class: "gaugeMark", "aria-hidden": "true" }, svg("rect", { x: 1, y: 1, width: 14, height: 14, rx: 3 }),
        svg("path", { d: "M5 4V12M11 4V12" })), "gauge change"),
      ...["port", "rail", "border", "city"].map((k) => el("span", null, shape(k), tradeKinds[k])),
      el("span", null, svg("svg", { viewBox: "0 0 16 16", class: "ship", "aria-hidden": "true" }, svg("rect", { x: 2, y: 4, width: 12, height: 8, rx: 1.5 })), "shipment, at its last milestone"));
  }
  function routeList() {
    $("routeList").replaceChildren(...trade.corridor.routes.map((r) => {
      const total = r.legs.reduce((sum, id) => sum + (trade.legs.get(id) ? trade.legs.get(id).distance_km : 0), 0);
      return el("li", null, el("button", { type: "button", class: "secondary routeButton", "data-route": r.id, "aria-pressed": "false", onclick: () => chooseRoute(r.id) },
        el("b", { text: r.name }), r.planned ? el("span", { class: "badge", text: "planned" }) : null,
        el("span", { class: "sub", text: r.id + " · " + count(r.legs.length, "leg") + " · " + km(total) })));
    }));
  }
  function chooseRoute(id) {
    trade.ship = "";
    trade.route = trade.route === id ? "" : id;
    const r = trade.routes.get(trade.route);
    if (r && !$("showSeaRoute").checked && r.legs.some((l) => trade.seaOnly.has(l))) {
      $("showSeaRoute").checked = true;
      drawTradeMap();
    }
    applyHighlight();
  }
  // applyHighlight picks out the chosen route (or the chosen shipment's)
  // and dims the rest.
  function applyHighlight() {
    const r = trade.routes.get(trade.route);
    const legs = new Set(r ? r.legs : []);
    const nodes = new Set(r ? r.legs.flatMap((id) => { const l = trade.legs.get(id); return l ? [l.from, l.to] : []; }) : []);
    for (const g of document.querySelectorAll("#tradeMap [data-leg], #tradeMap [data-inset-leg]")) {
      const id = g.dataset.leg || g.dataset.insetLeg;
      g.classList.toggle("dim", !!r && !legs.has(id));
      g.classList.toggle("chosen", !!r && legs.has(id));
    }
    for (const g of document.querySelectorAll("#tradeMap [data-node], #tradeMap [data-inset-node]")) g.classList.toggle("dim", !!r && !nodes.has(g.dataset.node || g.dataset.insetNode));
    for (const g of document.querySelectorAll("#tradeMap [data-shipment], #tradeMap [data-inset-shipment]")) g.classList.toggle("selected", (g.dataset.shipment || g.dataset.insetShipment) === trade.ship);
    for (const b of document.querySelectorAll("#routeList [data-route]")) b.setAttribute("aria-pressed", String(b.dataset.route === trade.route));
    for (const a of document.querySelectorAll("#shipments article")) a.classList.toggle("selected", a.dataset.ref === trade.ship);
    $("mapClear").hidden = !trade.route;
  }
  function chooseShipment(ref, scroll) {
    const sh = trade.shipments.find((x) => x.ref === ref);
    if (!sh) return;
    if (trade.ship === ref) { trade.ship = ""; trade.route = ""; applyHighlight(); return; }
    trade.route = "";
    chooseRoute(sh.route); // shows the sea route if the shipment takes it
    trade.ship = ref;
    applyHighlight();
    const card = document.querySelector('#shipments article[data-ref="' + CSS.escape(ref) + '"]');
    if (card && scroll) card.scrollIntoView({ block: "nearest" });
  }
  $("showSeaRoute").addEventListener("change", () => {
    const r = trade.routes.get(trade.route);
    if (!$("showSeaRoute").checked && r && r.legs.some((l) => trade.seaOnly.has(l))) { trade.route = ""; trade.ship = ""; }
    drawTradeMap();
  });
  $("mapClear").addEventListener("click", () => { trade.route = ""; trade.ship = ""; applyHighlight(); });

  // matchReports pairs each report of a shipment with a milestone of its
  // plan: the one at the node reported, else the next of that name along
  // the route. The API marks every milestone of the reported name, and a
  // route may have two (the western route crosses two borders), so the
  // page pairs them itself; the times it shows are the API's.
  function matchReports(sh) {
    const plan = sh.plan ? sh.plan.milestones : [];
    const byRow = new Map();
    let last = -1, where = "";
    for (const r of sh.reported) {
      const fits = (i) => plan[i].milestone === r.milestone && (!r.node || plan[i].node === r.node);
      let i = plan.findIndex((m, k) => k > last && fits(k));
      if (i < 0) i = plan.findIndex((m, k) => fits(k) && !byRow.has(k));
      if (i >= 0) { byRow.set(i, r); last = i; }
      where = r.node || (i >= 0 ? plan[i].node : where);
    }
    return { byRow, where };
  }
  // origin is where a shipment starts: its plan's first stop, else its
  // route's first leg.
  function origin(sh) {
    if (sh.plan && sh.plan.stops.length) return sh.plan.stops[0].node;
    const r = trade.routes.get(sh.route), l = r && trade.legs.get(r.legs[0]);
    return l ? l.from : "";
  }
  function shipmentWhere(sh) { return matchReports(sh).where || origin(sh); }
  function destination(sh) {
    const stops = sh.plan ? sh.plan.stops : [];
    return stops.length ? stops[stops.length - 1].node : "";
  }
  function shipmentState(sh) {
    const plan = sh.plan ? sh.plan.milestones : [];
    const { byRow } = matchReports(sh);
    if (plan.length && byRow.has(plan.length - 1)) return "arrived";
    return sh.reported.length ? "in transit" : "not loaded";
  }
  function lastReport(sh) { return sh.reported.length ? sh.reported[sh.reported.length - 1] : null; }
  // drawShipMarks puts each shipment on the map at its last milestone's
  // node, in a row above it, and again in the inset if the node is there.
  function drawShipMarks() {
    if (!trade.project || !$("shipLayer")) return;
    const at = new Map();
    for (const sh of trade.shipments) {
      const node = shipmentWhere(sh);
      if (!at.has(node)) at.set(node, []);
      at.get(node).push(sh);
    }
    const shown = (id) => !document.querySelector('#tradeMap [data-node="' + CSS.escape(id) + '"][display="none"]');
    $("shipLayer").replaceChildren(...shipMarks(at, trade.project, shown, "data-shipment"));
    if (trade.inset && $("insetShipLayer")) $("insetShipLayer").replaceChildren(...shipMarks(at, trade.inset.project, (id) => trade.inset.nodes.has(id), "data-inset-shipment"));
  }
  function shipMarks(at, project, shown, attr) {
    const marks = [];
    for (const [id, list] of at) {
      const n = trade.nodes.get(id);
      if (!n || !shown(id)) continue;
      const [x, y] = project(n.lat, n.lon);
      list.forEach((sh, i) => {
        if (i >= mapShipsPerNodeMax) return;
        const mx = x - 5 + (i % 6) * 11, my = y - 17 - Math.floor(i / 6) * 10;
        const r = lastReport(sh);
        const text = sh.ref + " · " + routeName(sh.route) + "\n" + (r ? r.milestone.replace("_", " ") + " at " + nodeName(id) + ", " + utc(r.at) : "not loaded yet, at " + nodeName(id)) +
          (sh.plan ? "\nETA " + utc(sh.plan.eta) : "") + "\n" + count(sh.payments.length, "payment") + " waiting on it";
        const g = svg("g", { class: "ship " + shipmentState(sh).replace(" ", "-"), [attr]: sh.ref, "data-at": id, tabindex: "0", role: "button", "aria-label": "shipment " + sh.ref },
          svg("title", null, text), svg("rect", { x: f1(mx - 5), y: f1(my - 3.5), width: 10, height: 7, rx: 1.5 }));
        g.addEventListener("click", () => chooseShipment(sh.ref, true));
        g.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); chooseShipment(sh.ref, true); } });
        marks.push(g);
      });
      if (list.length > mapShipsPerNodeMax) {
        marks.push(svg("text", { class: "shipMore", x: f1(x + 64), y: f1(y - 14) }, "+" + (list.length - mapShipsPerNodeMax),
          svg("title", null, list.slice(mapShipsPerNodeMax).map((sh) => sh.ref).join(", "))));
      }
    }
    return marks;
  }

  // releasedShare is how much of a payment its released amount is, in
  // tenths of a percent, from the exact decimals.
  function releasedShare(released, total) {
    const r = minor(released), t = minor(total);
    if (!r || !t || t.v === 0n) return null;
    const d = Math.max(r.d, t.d);
    return Number(scaled(r, d) * 1000n / scaled(t, d));
  }
  function shareBar(permille) {
    const W = 100;
    return el("span", { class: "bar shareBar" }, svg("svg", { viewBox: `0 0 ${W} 8`, preserveAspectRatio: "none", role: "img", "aria-label": (permille / 10).toFixed(1) + "% released" },
      svg("rect", { class: "track", x: 0, y: 0, width: W, height: 8, rx: 2 }),
      svg("rect", { class: "used", x: 0, y: 0, width: f1(W * Math.min(permille, 1000) / 1000), height: 8, rx: 2 })));
  }
  function shipmentPayment(p) {
    const parts = [el("a", { href: "#/payments/" + p.uetr, class: "mono uetr", title: p.uetr, text: p.uetr.slice(0, 8) + "…" }), " ",
      el("span", { class: "badge " + p.status, text: p.status })];
    if (!p.source_amount) {
      // A carrier sees the payments' statuses, not their amounts or banks,
      // and cannot open them.
      parts[0] = el("span", { class: "mono uetr", title: p.uetr, text: p.uetr.slice(0, 8) + "…" });
      return el("div", { class: "shipPayment", "data-uetr": p.uetr }, el("div", null, ...parts, " ", el("span", { class: "muted", text: "amounts are the banks'" })));
    }
    const rel = p.released || { source_amount: "0", target_amount: "0" };
    const share = releasedShare(rel.source_amount, p.source_amount.amount);
    return el("div", { class: "shipPayment", "data-uetr": p.uetr },
      el("div", null, ...parts, " ", el("span", { class: "parties", text: bankName(p.sending_participant) + " → " + bankName(p.receiving_participant) })),
      el("div", { class: "releaseLine" }, "released ", el("b", { class: "releasedSource", text: money(rel.source_amount, p.source_amount.currency) }),
        " of ", el("span", { class: "sourceTotal", text: amount(p.source_amount) }),
        share === null ? null : [" · ", el("span", { class: "share", text: (share / 10).toFixed(1) + " %" }), " ", shareBar(share)]),
      p.target_amount ? el("div", { class: "releaseLine sub" }, "to the receiving bank ", el("span", { class: "releasedTarget", text: money(rel.target_amount, p.target_amount.currency) }),
        " of ", el("span", { class: "targetTotal", text: amount(p.target_amount) })) : null);
  }
  function utcShort(s) { return s ? utc(s).replace(" UTC", "") : "–"; }
  function shipmentCard(sh, now) {
    const { byRow } = matchReports(sh);
    const where = shipmentWhere(sh), state = shipmentState(sh), r = lastReport(sh);
    const plan = sh.plan;
    const dest = destination(sh);
    const destCountry = trade.nodes.get(dest) ? trade.nodes.get(dest).country : "";
    const rows = (plan ? plan.milestones : []).map((m, i) => {
      const rep = byRow.get(i);
      const expected = parseTime(m.expected_at);
      const late = rep && expected && parseTime(rep.at).getTime() > expected.getTime() + milestoneGraceSeconds * 1000;
      const overdue = !rep && expected && expected.getTime() + milestoneGraceSeconds * 1000 < now;
      return el("tr", { "data-milestone": m.milestone, "data-node": m.node, class: rep ? "reported" : overdue ? "overdue" : "" },
        cell(m.milestone.replace("_", " "), "l"), cell(nodeName(m.node), "l"), cell(utcShort(m.expected_at), "l expected"),
        el("td", { class: "l reportedAt" + (late ? " warn" : "") }, rep ? utcShort(rep.at) : overdue ? el("span", { class: "warn", text: "overdue" }) : "–"));
    });
    const carrier = banks.has(sh.carrier) ? bankLabel(sh.carrier) : sh.carrier;
    return el("article", { class: "shipment" + (sh.ref === trade.ship ? " selected" : ""), "data-ref": sh.ref, "data-route": sh.route, "data-where": where },
      el("div", { class: "shipHead" },
        el("button", { type: "button", class: "linkish ref", title: "show on the map", onclick: () => chooseShipment(sh.ref, false), text: sh.ref }),
        el("span", { class: "badge " + state.replace(" ", "-"), text: state }),
        el("span", { class: "routeName", text: routeName(sh.route) })),
      el("div", { class: "facts" },
        el("span", null, "carrier ", el("b", { class: "carrier", text: carrier })),
        el("span", null, "now ", el("b", { class: "where", text: r ? r.milestone.replace("_", " ") + " at " + nodeName(where) : "not loaded, at " + nodeName(where) })),
        plan ? el("span", null, km(plan.distance_km) + " · " + count(plan.transit_days, "day")) : null),
      plan ? el("div", { class: "facts eta" }, el("span", null, "ETA at " + nodeName(dest) + " ", ...when(plan.eta, destCountry))) :
        el("p", { class: "muted", text: "no plan: the route is not in the corridor" }),
      rows.length ? el("table", { class: "compact milestones" },
        el("thead", null, el("tr", null, ...["milestone", "at", "expected (UTC)", "reported (UTC)"].map((h) => el("th", { class: "l", text: h })))),
        el("tbody", null, ...rows)) : null,
      el("div", { class: "shipPayments" }, sh.payments.length ? sh.payments.map(shipmentPayment) : el("p", { class: "muted", text: "no payment waits on it" })));
  }
  function renderShipments(list) {
    trade.shipments = list;
    const now = Date.now();
    const newest = list.slice().reverse();
    const shown = newest.slice(0, shipmentsShownMax);
    $("shipments").replaceChildren(...shown.map((sh) => shipmentCard(sh, now)));
    const moving = list.filter((sh) => shipmentState(sh) === "in transit").length;
    $("shipmentsNote").textContent = list.length ? count(list.length, "shipment") + ", " + moving + " in transit · newest first" +
      (list.length > shown.length ? " · the newest " + shown.length + " shown" : "") : "";
    $("shipmentsEmpty").hidden = list.length > 0;
    $("shipmentsEmpty").textContent = me.role === "operator" ? "no shipment yet: a trade payment names its shipment, and its carrier reports the milestones" :
      "no shipment that you carry or that carries a payment of yours";
    drawShipMarks();
    applyHighlight();
  }
  function drawCompare(cmp) {
    const rows = [cmp.a, cmp.b];
    const maxKM = Math.max(...rows.map((p) => p.distance_km)) || 1, maxHours = Math.max(...rows.map((p) => p.transit_hours)) || 1;
    const bar = (v, max, cls) => el("span", { class: "bar compareBar" }, svg("svg", { viewBox: "0 0 200 10", preserveAspectRatio: "none", "aria-hidden": "true" },
      svg("rect", { class: "track", x: 0, y: 0, width: 200, height: 10, rx: 2 }), svg("rect", { class: cls, x: 0, y: 0, width: f1(200 * v / max), height: 10, rx: 2 })));
    const table = el("table", { class: "compare" },
      el("thead", null, el("tr", null, ...["route", "distance", "", "transit", "", "ETA, leaving now"].map((h, i) => el("th", { class: [0, 2, 4, 5].includes(i) ? "l" : "", text: h })))),
      el("tbody", null, ...rows.map((p, i) => {
        const stops = p.stops || [];
        const dest = stops.length ? trade.nodes.get(stops[stops.length - 1].node) : null;
        return el("tr", { "data-route": p.route }, el("td", { class: "l" }, el("b", { text: routeName(p.route) }), el("span", { class: "sub", text: p.route })),
          cell(km(p.distance_km), "distance"), el("td", { class: "l" }, bar(p.distance_km, maxKM, i ? "b" : "a")),
          el("td", { class: "transit" }, count(p.transit_days, "day"), el("span", { class: "sub", text: groupDigits(String(p.transit_hours)) + " h" })),
          el("td", { class: "l" }, bar(p.transit_hours, maxHours, i ? "b" : "a")),
          el("td", { class: "l when" }, ...when(p.eta, dest ? dest.country : "")));
      })));
    const shorter = cmp.distance_saved_km >= 0, faster = cmp.hours_saved >= 0;
    const pct = (s) => String(s).replace(/^-/, "") + " %";
    const hours = Math.abs(cmp.hours_saved);
    $("compare").replaceChildren(table,
      el("p", { class: "saving" }, routeName(cmp.a.route) + " is ",
        el("b", { class: "distanceSaved", text: km(Math.abs(cmp.distance_saved_km)) }), (shorter ? " shorter" : " longer") + " (",
        el("b", { class: "distanceSavedPercent", text: pct(cmp.distance_saved_percent) }), ") and ",
        el("b", { class: "hoursSaved", text: groupDigits(String(hours)) + " h" }), ", about " + (hours / 24).toFixed(1) + " days, " + (faster ? "faster" : "slower") + " (",
        el("b", { class: "timeSavedPercent", text: pct(cmp.time_saved_percent) }), ") than " + routeName(cmp.b.route) + "."),
      el("p", { class: "muted small", text: "Plans leaving now, leg by leg: distance over average speed, in whole hours, then the dwell at each stop; each figure's source is on the map. A plan is an expectation: congestion, sanctions and border queues are not in it." }));
    $("compareNote").textContent = "km and days, for a departure now";
  }
  pages.trade = {
    every: 5000,
    reset() {
      Object.assign(trade, { corridor: null, compare: null, shownKey: "", route: "", ship: "", shipments: [], project: null });
      trade.nodes.clear(); trade.legs.clear(); trade.routes.clear(); trade.seaOnly.clear();
      $("tradeMap").replaceChildren();
      $("shipments").replaceChildren();
      $("compare").replaceChildren();
      $("showSeaRoute").checked = false;
      say($("tradeMessage"), "");
    },
    async load() {
      // The corridor and the comparison are read once; the loop reads the
      // shipments alone, one request.
      if (!trade.corridor) {
        await loadBanks();
        const [corridor, cmp] = await Promise.all([api("/v1/trade/corridor"), api("/v1/trade/compare").catch((err) => {
          if (err.status === 401) throw err;
          say($("tradeMessage"), "the comparison could not be read: " + err.message, "bad");
          return null;
        })]);
        trade.corridor = corridor;
        for (const n of corridor.nodes) trade.nodes.set(n.id, n);
        for (const l of corridor.legs) trade.legs.set(l.id, l);
        for (const r of corridor.routes) trade.routes.set(r.id, r);
        trade.compare = cmp;
        trade.seaOnly = seaOnlyLegs();
        $("showSeaRouteLabel").hidden = trade.seaOnly.size === 0;
        if (cmp) $("showSeaRouteText").textContent = "show " + routeName(cmp.b.route).replace(/^./, (x) => x.toLowerCase());
        $("compareCard").hidden = !cmp;
        if (cmp) drawCompare(cmp);
        mapLegend();
        routeList();
        drawTradeMap();
      }
      const data = await api("/v1/shipments");
      // Names of carriers and banks first seen: the list of participants
      // is read again (at most every 30 s), the operator's only.
      const ids = data.shipments.flatMap((sh) => [sh.carrier, ...sh.payments.flatMap((p) => [p.sending_participant, p.receiving_participant])]).filter(Boolean);
      if (me.role === "operator" && ids.some((id) => !banks.has(id))) await loadBanks();
      const key = JSON.stringify(data) + "/" + Math.floor(Date.now() / 60000);
      if (key === trade.shownKey) return;
      trade.shownKey = key;
      renderShipments(data.shipments);
    },
  };

  // --- screening --------------------------------------------------------------

  function named(text) { const td = cell(text, "l wrap"); td.dir = "auto"; return td; }
  function score(x) { return Number(x).toFixed(4); }
  function actionClass(a) { return a === "block" ? "l bad" : a === "review" ? "l warn" : "l"; }
  const fieldNames = { "debtor.name": "debtor", "creditor.name": "creditor", "debtor_agent.name": "sending bank", "creditor_agent.name": "receiving bank" };

  // Lists.
  let listsLoaded = false;
  async function loadLists() {
    let data;
    try { data = await api("/v1/lists"); } catch (err) { say($("importMessage"), "read the lists: " + (err.message || err), "bad"); return; }
    const lists = data.lists || [];
    fill($("listsTable").tBodies[0], lists.map((l) => [
      cell(l.name, "l"), cell(String(l.version)), cell(l.format, "l"), cell(l.published || "–", "l"),
      cell(groupDigits(String(l.records))), cell(String(l.review)), cell(String(l.block)),
      cell(utc(l.imported_at), "l"), cell(l.imported_by, "l"), shaCell(l.sha256)]));
    $("listsEmpty").hidden = lists.length > 0;
    showScreeningError(data.screening_error);
  }
  function shaCell(sum) {
    const td = cell("", "l");
    td.append(el("code", { title: sum, text: String(sum).slice(0, 12) + "…" }));
    return td;
  }
  function showScreeningError(text) {
    $("screeningError").hidden = !text;
    $("screeningError").textContent = text ? "Screening is down, so every payment is refused: " + text : "";
  }
  $("listsReload").addEventListener("click", () => loadLists());
  const formatNames = { "ofac-csv": "OFAC-SDN", "un-xml": "UN", "csv": "" };
  function importFormatChanged() {
    const name = formatNames[$("importFormat").value];
    $("importList").placeholder = name || "required";
    $("importList").required = !name;
  }
  $("importFormat").addEventListener("change", importFormatChanged);
  importFormatChanged();
  $("importForm").addEventListener("submit", async (e) => {
    e.preventDefault();
    const file = $("importFile").files[0];
    if (!file) { say($("importMessage"), "choose a file to import", "bad"); return; }
    const q = new URLSearchParams({ format: $("importFormat").value });
    for (const [k, id] of [["list", "importList"], ["review", "importReview"], ["block", "importBlock"]]) {
      const v = $(id).value.trim();
      if (v) q.set(k, v);
    }
    $("importButton").disabled = true;
    say($("importMessage"), "importing " + file.name + "…", "muted");
    const res = await send("POST", "/v1/lists/import?" + q, file, "application/octet-stream");
    $("importButton").disabled = false;
    if (!res.ok) { say($("importMessage"), "not imported: " + refusalText(res), "bad"); return; }
    const l = res.data;
    const warnings = l.warnings || [];
    if (l.unchanged) {
      say($("importMessage"), l.name + " version " + l.version + " already holds this file: nothing changed.", "ok", warnings);
    } else {
      say($("importMessage"), "imported " + l.name + " version " + l.version + ": " + groupDigits(String(l.records)) + " records, review at " + l.review + ", block at " + l.block +
        (warnings.length ? "; " + warnings.length + " warning(s):" : "."), "ok", warnings);
    }
    loadLists();
  });

  // Search.
  $("searchForm").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { name: $("searchName").value.trim() };
    const country = $("searchCountry").value.trim().toUpperCase();
    if (country) body.country = country;
    if ($("searchDOB").value.trim()) body.date_of_birth = $("searchDOB").value.trim();
    if ($("searchType").value) body.type = $("searchType").value;
    say($("searchMessage"), "searching…", "muted");
    const res = await send("POST", "/v1/screening/search", JSON.stringify(body));
    const table = $("hitsTable");
    if (!res.ok) {
      table.hidden = true;
      say($("searchMessage"), refusalText(res), "bad");
      if (res.status === 503) loadLists(); // screening is down: say why at the top
      return;
    }
    const hits = (res.data.hits || []).slice().sort((a, b) => b.score - a.score);
    const lists = res.data.lists || [];
    fill(table.tBodies[0], hits.map((h) => [
      cell(h.list + "@" + h.list_version, "l"), cell(h.entry_id, "l"), named(h.name),
      named(h.matched + (h.alias ? " (alias)" : "")), cell(score(h.score)), cell(h.action, actionClass(h.action))]));
    table.hidden = hits.length === 0;
    if (!lists.length) say($("searchMessage"), "no lists are loaded, so nothing can match", "warn");
    else if (!hits.length) say($("searchMessage"), "no hits at or above the review threshold of the loaded lists (" + lists.join(", ") + ")", "ok");
    else say($("searchMessage"), [hits.length + " hit(s) for “", el("bdi", { text: body.name }), "” against " + lists.join(", ") + ", best first"], "");
  });

  // Review queue. A card is built once per held payment and kept while the
  // payment is held, so that the loop does not wipe a comment being typed.
  const cards = new Map(); // UETR -> { node, flag }
  // The loop skips a read while one is on its way; a decision always
  // starts one, and an answer older than the one shown is dropped.
  let reviewsAsked = 0, reviewsShown = 0, reviewsPending = 0;
  async function refreshReviews(force) {
    if (reviewsPending && !force) return;
    const seq = ++reviewsAsked;
    reviewsPending++;
    try {
      const data = await api("/v1/screening/reviews");
      if (seq < reviewsShown) return;
      reviewsShown = seq;
      const hours = Math.round((data.expiring_within_seconds || 0) / 360) / 10;
      $("reviewsNote").textContent = "· oldest first; amber when the reservation ends within " + hours + " h";
      const seen = new Set();
      for (const r of data.reviews) {
        seen.add(r.uetr);
        let c = cards.get(r.uetr);
        if (!c) { c = reviewCard(r); cards.set(r.uetr, c); $("reviews").append(c.node); }
        c.node.classList.toggle("expiring", !!r.expiring_soon);
        c.flag.hidden = !r.expiring_soon;
      }
      for (const [uetr, c] of cards) {
        if (!seen.has(uetr)) { c.node.remove(); cards.delete(uetr); }
      }
      $("reviewsEmpty").hidden = data.reviews.length > 0;
      $("held").textContent = data.reviews.length;
      $("heldTile").classList.toggle("warnTile", data.reviews.length > 0);
    } catch (err) {
      if (err.status !== 401) say($("reviewMessage"), "read the review queue: " + (err.message || err), "bad");
    } finally {
      reviewsPending--;
    }
  }
  function reviewCard(r) {
    const flag = el("span", { class: "badge", text: "expiring soon", hidden: !r.expiring_soon });
    const hits = (r.hits || []).slice().sort((a, b) => b.score - a.score);
    const table = el("table", { class: "hits" },
      el("thead", null, el("tr", null, ...["party", "payment's spelling", "listed spelling", "list entry", "score", "action"].map((h, i) => el("th", { class: i < 4 ? "l" : "", text: h })))),
      el("tbody", null, ...hits.map((h) => el("tr", null,
        el("td", { class: "l", title: h.field, text: fieldNames[h.field] || h.field }),
        named(h.queried),
        named(h.matched + (h.alias ? " (alias of " + h.name + ")" : "")),
        el("td", { class: "l", text: h.list + "@" + h.list_version + " · " + h.entry_id }),
        el("td", { text: score(h.score) }),
        el("td", { class: actionClass(h.action), text: h.action })))));
    const comment = el("textarea", { class: "comment", maxlength: "1000", rows: "1", placeholder: "comment for the audit log (why this is or is not the listed party)" });
    const approve = el("button", { type: "button", class: "approve", text: "Approve…" });
    const reject = el("button", { type: "button", class: "reject", text: "Reject…" });
    const question = el("span");
    const yes = el("button", { type: "button", class: "confirmYes" });
    const no = el("button", { type: "button", class: "secondary confirmNo", text: "Cancel" });
    const confirm = el("div", { class: "confirm", hidden: true }, question, yes, no);
    let decision = "";
    function ask(d) {
      decision = d;
      question.textContent = d === "approve"
        ? "Release " + amount(r.source_amount) + " from " + r.debtor + " to " + r.creditor + " at " + r.receiving_participant + "?"
        : "Reject this payment (RR04) and release its reservation of " + amount(r.source_amount) + "?";
      yes.textContent = d === "approve" ? "Yes, approve" : "Yes, reject";
      yes.className = "confirmYes " + d;
      confirm.hidden = false;
      yes.focus();
    }
    approve.addEventListener("click", () => ask("approve"));
    reject.addEventListener("click", () => ask("reject"));
    no.addEventListener("click", () => { confirm.hidden = true; decision = ""; });
    yes.addEventListener("click", async () => {
      if (!decision) return;
      for (const b of [approve, reject, yes, no]) b.disabled = true;
      const res = await send("POST", "/v1/screening/reviews/" + encodeURIComponent(r.uetr), JSON.stringify({ decision, comment: comment.value.trim() }));
      if (res.ok) {
        const p = res.data;
        say($("reviewMessage"), (decision === "approve" ? "Approved" : "Rejected") + " payment " + r.uetr + " (" + r.debtor + " → " + r.creditor + "): now " + p.status + (p.reason ? " (" + p.reason + ")" : "") + ".", "ok");
      } else {
        say($("reviewMessage"), "Payment " + r.uetr + ": " + refusalText(res), "bad");
        for (const b of [approve, reject, yes, no]) b.disabled = false;
        confirm.hidden = true;
      }
      await refreshReviews(true);
    });
    const node = el("article", { class: "review", "data-uetr": r.uetr },
      el("div", { class: "facts" },
        el("span", null, el("b", { text: r.sending_participant + " → " + r.receiving_participant })),
        el("span", null, "sent ", el("b", { class: "sent", text: amount(r.source_amount) })),
        el("span", null, "received ", el("b", { class: "received", text: amount(r.target_amount) })),
        el("span", null, "debtor ", el("bdi", null, el("b", { class: "debtor", text: r.debtor }))),
        el("span", null, "creditor ", el("bdi", null, el("b", { class: "creditor", text: r.creditor })))),
      el("div", { class: "facts muted" },
        el("span", null, "held ", el("span", { class: "heldAt", text: utc(r.held_at) })),
        el("span", null, "reservation ends ", el("span", { class: "expiresAt", text: r.reservation_expires_at ? utc(r.reservation_expires_at) : "–" }), " ", flag),
        el("span", null, "UETR ", el("a", { class: "uetr mono", href: "#/payments/" + r.uetr, text: r.uetr }))),
      table,
      el("div", { class: "decide" }, comment, approve, reject),
      confirm);
    return { node, flag };
  }
  pages.screening = {
    every: 2000,
    role: "operator",
    reset() { cards.forEach((c) => c.node.remove()); cards.clear(); listsLoaded = false; },
    async load() {
      // The review queue is one request, so it follows the page's loop;
      // the lists are read once, then on demand.
      if (!listsLoaded) { listsLoaded = true; loadLists(); }
      await refreshReviews();
    },
  };

  // --- start ------------------------------------------------------------------

  // The demo passes the operator's token in the URL's fragment, which no
  // request carries; it is exchanged for a session at once and taken out of
  // the address bar and the history.
  async function start() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    const token = fragment.get("token");
    if (token) {
      history.replaceState(null, "", location.pathname + "#/overview");
      await signIn(token);
      return;
    }
    let s = null;
    try {
      const r = await fetch("/ui/session", { headers: { Accept: "application/json" } });
      s = await readBody(r);
    } catch (err) {
      $("status").textContent = "the node does not answer: " + (err.message || err);
    }
    if (s && s.signed_in) enter(s);
    else showLogin("");
  }
  start();
})();
