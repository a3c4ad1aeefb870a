// Drives reporting's dashboard in Debian's headless Chromium (playwright-core) against a
// running stack, and checks it against the API:
//   1. the page loads and follows the stream, with no console error, page error or
//      failed request;
//   2. plan score, covered weight, as-of, every indicator card (value, baseline,
//      target, weight, achievement, status, monthly trend), the live figures, the
//      active alerts and the deadline worklist equal the API's numbers, compared as the
//      API's exact number text against the data-value attributes;
//   3. the worklist filters (office, kind) show what the API returns for them; with the
//      stream failing, a page polls the API and reconnects when the stream is back;
//   4. a surge of unanswered tickets (produced by the C++ side on request) raises the
//      pending-ratio alert, and the page shows it — pending, then firing once the
//      injected clock moves — without a reload; the numbers follow too;
//   5. a screenshot goes to the artifacts directory (and, when asked, to docs/).
// Run by tests/browser/dashboard_browser_test.cpp, which owns the stack; requests to it
// are "@@surge N" and "@@clock T" lines on stdout, answered by "ok" on stdin.
"use strict";

import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { chromium } from "playwright-core";
import { parseRawJson, rawText } from "./raw_json.mjs";

// ---- arguments ------------------------------------------------------------------------
const args = {};
for (let k = 2; k < process.argv.length; k += 2) args[process.argv[k].replace(/^--/, "")] = process.argv[k + 1];
for (const required of ["url", "chromium", "as-of", "clock", "threshold", "artifacts", "profile"]) {
  if (!args[required]) {
    console.error(`dashboard.test.mjs: missing --${required}`);
    process.exit(2);
  }
}
const BASE = args.url.replace(/\/$/, "");
const DEADLINE_ROWS = 50; // the page's table size (dashboard.js DEADLINE_ROWS)

// ---- reporting ------------------------------------------------------------------------
let passed = 0;
let failed = 0;
function ok(name) {
  passed++;
  console.log(`ok ${passed + failed} - ${name}`);
}
function notOk(name, detail) {
  failed++;
  console.log(`not ok ${passed + failed} - ${name}`);
  console.error(`FAILED: ${name}\n${detail}\n`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `probe` (returns a list of differences) until it returns none or time is up.
async function until(name, probe, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let diffs = [];
  for (;;) {
    try {
      diffs = await probe();
    } catch (e) {
      diffs = [String(e && e.stack || e)];
    }
    if (diffs.length === 0) {
      ok(name);
      return true;
    }
    if (Date.now() > deadline) {
      notOk(name, diffs.slice(0, 15).join("\n"));
      return false;
    }
    await sleep(300);
  }
}

// ---- requests to the C++ side ---------------------------------------------------------
const stdinLines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function ask(request) {
  process.stdout.write(`@@${request}\n`);
  const answer = await stdinLines.next();
  if (answer.done || answer.value.trim() !== "ok") throw new Error(`request "${request}" failed: ${answer.value}`);
}

// ---- the API --------------------------------------------------------------------------
async function api(pathAndQuery) {
  const r = await fetch(BASE + pathAndQuery);
  const text = await r.text();
  if (!r.ok) throw new Error(`${pathAndQuery}: HTTP ${r.status}: ${text}`);
  return { text, json: parseRawJson(text) };
}

// Waits until the stack has taken in the whole feed and stopped changing.
async function waitSettled() {
  const deadline = Date.now() + 120000;
  let previous = "";
  for (;;) {
    const [c, d] = await Promise.all([api("/api/v1/compliance"), api(`/api/v1/deadlines?limit=${DEADLINE_ROWS}`)]);
    const now = c.text + d.text;
    if (c.json.as_of === args["as-of"] && now === previous) return;
    previous = c.json.as_of === args["as-of"] ? now : "";
    if (Date.now() > deadline) throw new Error(`the stack did not settle at as-of ${args["as-of"]} (API says ${c.json.as_of})`);
    await sleep(1000);
  }
}

// Saves a body of every JSON endpoint (and a 400) for tests/docs/check_openapi.py, which
// validates them against docs/api.yaml (test openapi_live_samples).
async function saveApiSamples(dir, stream) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const bodies = {
    getCompliance: "/api/v1/compliance",
    getIndicators: "/api/v1/indicators?period=2024",
    getAlerts: "/api/v1/alerts",
    getDeadlines: "/api/v1/deadlines",
    getHealth: "/healthz",
    getReady: "/readyz",
  };
  for (const [name, url] of Object.entries(bodies)) {
    fs.writeFileSync(path.join(dir, `${name}.json`), (await api(url)).text);
  }
  const bad = await fetch(`${BASE}/api/v1/indicators?period=2024-13`);
  if (bad.status !== 400) throw new Error(`period=2024-13 gave HTTP ${bad.status}, expected 400`);
  fs.writeFileSync(path.join(dir, "error.json"), await bad.text());
  for (const [event, data] of Object.entries(stream)) fs.writeFileSync(path.join(dir, `event-${event}.json`), data);
  return Object.keys(bodies).length + 1 + Object.keys(stream).length;
}

// Reads /api/v1/stream like any client and keeps the first payload of each event.
function recordStream(into) {
  const abort = new AbortController();
  const done = (async () => {
    const r = await fetch(`${BASE}/api/v1/stream`, { signal: abort.signal });
    if (r.headers.get("content-type") !== "text/event-stream") throw new Error(`stream content type ${r.headers.get("content-type")}`);
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of r.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        const data = [];
        for (const line of frame.split("\n")) {
          if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("data: ")) data.push(line.slice(6));
        }
        if (data.length && !(event in into)) into[event] = data.join("\n");
      }
    }
  })().catch((e) => {
    if (e.name !== "AbortError") throw e;
  });
  return { stop: () => { abort.abort(); return done; } };
}

// ---- the page -------------------------------------------------------------------------
// Everything the checks read from the page, in one evaluation.
function readPage() {
  const q = (sel) => document.querySelector(sel);
  const val = (node) => (node ? node.getAttribute("data-value") : "(missing)");
  const cards = {};
  for (const card of document.querySelectorAll("article.card[data-indicator]")) {
    const field = (f) => val(card.querySelector(`[data-field="${f}"]`));
    cards[card.dataset.indicator] = {
      card: card.getAttribute("data-value"),
      value: field("value"),
      baseline: field("baseline"),
      target: field("target"),
      weight: field("weight"),
      achievement: field("achievement"),
      status: card.querySelector(".chip").getAttribute("data-status"),
      tracked: card.closest("#tracked-cards") !== null,
      trend: [...card.querySelectorAll("circle[data-period]")].map((c) => [c.dataset.period, c.dataset.value]),
      text: card.querySelector(".value").textContent,
    };
  }
  return {
    mark: window.__pqrflowMark || null,
    conn: q("#conn").dataset.conn,
    planId: q("#plan-id").textContent,
    process: q("#process").textContent,
    asOf: val(q("#as-of")),
    score: val(q("#plan-score")),
    scoreText: q("#plan-score").textContent,
    covered: val(q("#covered-weight")),
    status: q("#plan-status").dataset.status,
    live: {
      pending_ratio: val(q("#live-ratio")),
      pending: val(q("#live-pending")),
      filed_30d: val(q("#live-filed")),
      due_soon: val(q("#live-due-soon")),
      overdue: val(q("#live-overdue")),
    },
    cards,
    alerts: [...document.querySelectorAll("#alerts li.alert")].map((li) => ({
      rule: li.dataset.rule,
      subject: li.dataset.subject,
      state: li.dataset.state,
      value: val(li.querySelector('[data-field="value"]')),
      threshold: val(li.querySelector('[data-field="threshold"]')),
    })),
    deadlines: [...document.querySelectorAll("#deadlines tbody tr[data-ticket]")].map((tr) =>
      [tr.dataset.ticket, tr.dataset.office, tr.dataset.kind, tr.dataset.due, tr.dataset.days, tr.classList.contains("overdue")].join("|")),
    deadlinesTotal: q("#deadlines-shown").dataset.total,
  };
}

function expectEq(diffs, what, actual, expected) {
  if (actual !== expected) diffs.push(`${what}: page ${JSON.stringify(actual)}, API ${JSON.stringify(expected)}`);
}

function deadlineRows(d) {
  return d.items.map((i) => [i.ticket_id, i.office, i.kind, i.due_date, rawText(i.business_days_left), i.overdue].join("|"));
}

// Differences between the page and the API (compliance, live figures, alerts, worklist).
async function compareWithApi(page, deadlinesQuery = "") {
  const [c, a, d] = await Promise.all([
    api("/api/v1/compliance"),
    api("/api/v1/alerts"),
    api(`/api/v1/deadlines?${deadlinesQuery}${deadlinesQuery ? "&" : ""}limit=${DEADLINE_ROWS}`),
  ]);
  const p = await page.evaluate(readPage);
  const diffs = [];
  const C = c.json;
  expectEq(diffs, "plan id", p.planId, C.plan);
  expectEq(diffs, "process", p.process, C.process);
  expectEq(diffs, "as_of", p.asOf, C.as_of);
  expectEq(diffs, "plan_score", p.score, rawText(C.plan_score));
  expectEq(diffs, "covered_weight", p.covered, rawText(C.covered_weight));
  expectEq(diffs, "plan status", p.status, C.status);
  for (const k of ["pending_ratio", "pending", "filed_30d", "due_soon", "overdue"]) {
    expectEq(diffs, `live.${k}`, p.live[k], rawText(C.live[k]));
  }
  expectEq(diffs, "number of cards", Object.keys(p.cards).length, C.indicators.length);
  for (const i of C.indicators) {
    const card = p.cards[i.indicator];
    if (!card) {
      diffs.push(`no card for ${i.indicator}`);
      continue;
    }
    expectEq(diffs, `${i.indicator} card data-value`, card.card, rawText(i.value));
    for (const f of ["value", "baseline", "target", "weight", "achievement"]) {
      expectEq(diffs, `${i.indicator}.${f}`, card[f], rawText(i[f]));
    }
    expectEq(diffs, `${i.indicator} tracked`, card.tracked, i.tracked);
    expectEq(diffs, `${i.indicator} status`, card.status, i.tracked ? "seguimiento" : i.status);
    const trend = i.trend.filter((t) => t.value !== null).map((t) => [t.period, rawText(t.value)]);
    expectEq(diffs, `${i.indicator} trend`, JSON.stringify(card.trend), JSON.stringify(trend));
  }
  const active = a.json.active.map((x) => ({
    rule: x.rule, subject: x.subject, state: x.state, value: rawText(x.value), threshold: rawText(x.threshold),
  }));
  expectEq(diffs, "active alerts", JSON.stringify(p.alerts), JSON.stringify(active));
  expectEq(diffs, "worklist total", p.deadlinesTotal, rawText(d.json.total));
  const rows = deadlineRows(d.json);
  if (JSON.stringify(p.deadlines) !== JSON.stringify(rows)) {
    diffs.push(`worklist rows (${p.deadlines.length} on the page, ${rows.length} in the API): ` +
      `first page ${p.deadlines.slice(0, 3).join(", ")} / API ${rows.slice(0, 3).join(", ")}`);
  }
  return diffs;
}

// ---- the run --------------------------------------------------------------------------
async function main() {
  await waitSettled();
  ok(`the stack settled at as-of ${args["as-of"]}`);
  const streamed = {};
  const recorder = recordStream(streamed);

  fs.mkdirSync(args.profile, { recursive: true });
  const context = await chromium.launchPersistentContext(args.profile, {
    executablePath: args.chromium,
    headless: true,
    viewport: { width: 1440, height: 900 },
    locale: "es-CO",
    timezoneId: "America/Bogota",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
      "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
  const problems = [];
  let navigations = 0;
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console error: ${m.text()} (${JSON.stringify(m.location())})`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => {
      // The stream is cut when the page closes; nothing else may fail.
      if (!r.url().endsWith("/api/v1/stream")) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    page.on("framenavigated", (f) => {
      if (f === page.mainFrame()) navigations++;
    });

    await page.goto(`${BASE}/`, { waitUntil: "load" });
    await page.waitForSelector('#conn[data-conn="live"]', { timeout: 15000 });
    ok("the page loads and subscribes to /api/v1/stream");
    await page.evaluate(() => { window.__pqrflowMark = "loaded-once"; });

    await until("plan score, cards, trends, live figures, alerts and worklist equal the API", () => compareWithApi(page));

    const p0 = await page.evaluate(readPage);
    const lang = await page.evaluate(() => document.documentElement.lang);
    const diffs = [];
    expectEq(diffs, "html lang", lang, "es");
    if (!/,\d\d %$/.test(p0.scoreText) && p0.score !== "null") diffs.push(`plan score not in es-CO: ${p0.scoreText}`);
    for (const [id, card] of Object.entries(p0.cards)) {
      if (card.card !== "null" && !/^[\d.]+,\d{2,3} (%|h|min)$/.test(card.text)) diffs.push(`${id} value not in es-CO: ${card.text}`);
    }
    if (diffs.length) notOk("numbers are written in Spanish (es-CO)", diffs.join("\n"));
    else ok("numbers are written in Spanish (es-CO: decimal comma, unit)");

    // The worklist filters ask the API with its query parameters.
    const all = (await api(`/api/v1/deadlines?limit=${DEADLINE_ROWS}`)).json;
    const office = all.items.map((i) => i.office).find((o) => o) || null;
    const kind = all.items.length ? all.items[all.items.length - 1].kind : "reclamo";
    if (office) {
      await page.selectOption("#filter-office", office);
      await until(`the worklist filtered by office ${office} equals the API's`, () =>
        compareWithApi(page, `office=${encodeURIComponent(office)}`));
      await page.selectOption("#filter-kind", kind);
      await until(`the worklist filtered by office ${office} and kind ${kind} equals the API's`, () =>
        compareWithApi(page, `office=${encodeURIComponent(office)}&kind=${kind}`));
      await page.selectOption("#filter-office", "");
      await page.selectOption("#filter-kind", "");
      await until("the unfiltered worklist is back", () => compareWithApi(page));
    } else {
      notOk("the worklist filters", "the generated utility left no pending ticket near its due date");
    }

    // A stream that fails: a second page whose /api/v1/stream answers 503 falls back to
    // polling the REST API (same numbers), then reconnects once the stream is back.
    const second = await context.newPage();
    const secondErrors = [];
    second.on("pageerror", (e) => secondErrors.push(e.message));
    await second.route("**/api/v1/stream", (route) => route.fulfill({ status: 503, contentType: "application/json", body: '{"error":"unavailable","message":"test"}' }));
    await second.goto(`${BASE}/`, { waitUntil: "load" });
    try {
      await second.waitForSelector('#conn[data-conn="polling"]', { timeout: 15000 });
      ok("without the stream the page says so and polls the API");
    } catch (e) {
      notOk("without the stream the page says so and polls the API", String(e));
    }
    await until("while polling, the page equals the API", () => compareWithApi(second));
    await second.unroute("**/api/v1/stream");
    try {
      await second.waitForSelector('#conn[data-conn="live"]', { timeout: 40000 });
      ok("the page reconnects to the stream when it is back");
    } catch (e) {
      notOk("the page reconnects to the stream when it is back", String(e));
    }
    if (secondErrors.length) notOk("no page errors while the stream was down", secondErrors.join("\n"));
    await second.close();

    // Start the alert rules on the settled figures (the C++ side keeps reporting's clock
    // unset until now); the deadline rule fires at the first evaluation, which shows that
    // the pending-ratio rule has taken its reference sample.
    await ask(`clock ${args.clock}`);
    await until("the alert rules run (the overdue rule fires on the backlog)", async () => {
      const a = (await api("/api/v1/alerts")).json;
      return a.active.some((x) => x.rule === "legal_deadline_overdue") ? [] : ["no legal_deadline_overdue alert yet"];
    }, 30000);

    // Provoke the pending-ratio alert: unanswered filings until pending ÷ filed in 30 days
    // is above the threshold and at least 10 points above where it stood.
    const rule = "pqr_pending_ratio_rising";
    const beforeSurge = [...(await page.evaluate(readPage)).alerts, ...(await api("/api/v1/alerts")).json.active];
    if (beforeSurge.some((x) => x.rule === rule)) notOk("no pending-ratio alert before the surge", JSON.stringify(beforeSurge));
    else ok("no pending-ratio alert before the surge");
    const live = (await api("/api/v1/alerts")).json.live;
    const P = live.pending.value, F = live.filed_30d.value;
    const before = F > 0 ? P / F : 0;
    const goal = Math.min(0.97, Math.max(Number(args.threshold) / 100, before) + 0.1);
    const surge = Math.max(20, Math.ceil((goal * F - P) / (1 - goal)));
    console.log(`# pending ratio before the surge ${(100 * before).toFixed(2)} % (${P} / ${F}); aiming at ${(100 * goal).toFixed(0)} %`);
    // The surge is observed a minute later: the rule keeps one sample per instant, so the
    // settled figure at the first instant stays the reference of the rise.
    const bogotaPlus = (minutes) =>
      new Date(Date.parse(args.clock) + minutes * 60 * 1000 - 5 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, "-05:00");
    await ask(`clock ${bogotaPlus(1)}`);
    await ask(`surge ${surge}`);
    try {
      await page.waitForSelector(`#alerts li.alert[data-rule="${rule}"]`, { timeout: 30000 });
      ok(`the provoked alert appears without a reload (${surge} unanswered filings)`);
    } catch (e) {
      notOk("the provoked alert appears without a reload", String(e));
    }
    // One hour and a half later (the rule's `for` is one hour) it fires.
    await ask(`clock ${bogotaPlus(91)}`);
    try {
      await page.waitForSelector(`#alerts li.alert[data-rule="${rule}"][data-state="firing"]`, { timeout: 30000 });
      ok("the alert turns to firing on the page when the clock moves");
    } catch (e) {
      notOk("the alert turns to firing on the page when the clock moves", String(e));
    }
    await until("after the surge the page still equals the API", () => compareWithApi(page));
    const after = await page.evaluate(readPage);
    if (after.mark === "loaded-once" && navigations === 1) ok("the page was never reloaded");
    else notOk("the page was never reloaded", `mark ${after.mark}, ${navigations} navigations`);

    await recorder.stop();
    const expected = ["alert", "alerts", "compliance", "deadlines"];
    const missing = expected.filter((e) => !(e in streamed));
    if (missing.length) notOk("the stream sent every kind of event", `missing: ${missing.join(", ")}`);
    else ok(`the stream sent ${expected.join(", ")} events`);
    const saved = await saveApiSamples(path.join(args.artifacts, "api-samples"), streamed);
    ok(`${saved} API bodies saved for the OpenAPI check`);

    fs.mkdirSync(args.artifacts, { recursive: true });
    const shot = path.join(args.artifacts, "dashboard.png");
    await page.screenshot({ path: shot, fullPage: true });
    ok(`screenshot ${shot}`);
    if (args["docs-screenshot"]) {
      await page.screenshot({ path: args["docs-screenshot"], fullPage: true });
      ok(`screenshot ${args["docs-screenshot"]}`);
    }
    // The page at 1280 px (the smallest laptop width): nothing wider than the window.
    await page.setViewportSize({ width: 1280, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow <= 0) ok("no horizontal scrolling at 1280 px");
    else notOk("no horizontal scrolling at 1280 px", `${overflow} px too wide`);
    try {
      // Charts are drawn at their own pixel width (text keeps its size): after the resize
      // each one is redrawn to its new width.
      await page.waitForFunction(() => [...document.querySelectorAll("figure.trend svg")].every((svg) =>
        Math.abs(svg.viewBox.baseVal.width - Math.max(240, Math.round(svg.parentElement.getBoundingClientRect().width))) <= 1),
      null, { timeout: 10000 });
      ok("the trend charts are redrawn at the new width");
    } catch (e) {
      notOk("the trend charts are redrawn at the new width", String(e));
    }
    await page.screenshot({ path: path.join(args.artifacts, "dashboard-1280.png") });
  } finally {
    await context.close();
  }
  if (problems.length) notOk("no console errors, page errors or failed requests", problems.join("\n"));
  else ok("no console errors, page errors or failed requests");
}

try {
  await main();
} catch (e) {
  notOk("the run", String(e && e.stack || e));
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
