// The dashboard: reads the reporting API and follows its Server-Sent Events stream.
"use strict";

const fmt = (v, unit) => v === null || v === undefined ? "—"
  : unit === "%" ? `${Number(v).toFixed(2)} %` : unit === "hours" ? `${Number(v).toFixed(1)} h`
  : unit === "minutes" ? `${Number(v).toFixed(1)} min` : String(v);

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function renderCompliance(c) {
  document.getElementById("plan").textContent = c.plan;
  document.getElementById("as-of").textContent = c.as_of || "—";
  document.getElementById("score").textContent = c.plan_score === null ? "—" : `${Number(c.plan_score).toFixed(2)} %`;
  const status = document.getElementById("status");
  status.textContent = c.status;
  status.className = `status ${c.status}`;
  const body = document.querySelector("#indicators tbody");
  body.replaceChildren(...c.indicators.map((i) => {
    const tr = document.createElement("tr");
    tr.dataset.indicator = i.indicator;
    tr.append(cell(i.name), cell(fmt(i.value, i.unit)), cell(fmt(i.baseline, i.unit)), cell(fmt(i.target, i.unit)),
      cell(i.achievement === null ? "—" : `${Math.round(i.achievement * 100)} %`),
      cell(`${Math.round(i.weight * 100)} %`), cell(i.status, `status ${i.status}`));
    return tr;
  }));
}

function renderAlerts(a) {
  const list = document.getElementById("alerts");
  list.replaceChildren(...a.active.map((x) => {
    const li = document.createElement("li");
    li.dataset.rule = x.rule;
    li.textContent = `${x.summary} — ${x.at}`;
    return li;
  }));
}

function renderDeadlines(d) {
  const body = document.querySelector("#deadlines tbody");
  body.replaceChildren(...d.items.map((i) => {
    const tr = document.createElement("tr");
    tr.append(cell(i.ticket_id), cell(i.office), cell(i.kind), cell(i.due_date), cell(String(i.business_days_left)));
    return tr;
  }));
}

async function load(path, render) {
  const r = await fetch(path);
  if (r.ok) render(await r.json());
}

async function refresh() {
  await Promise.all([load("/api/v1/compliance", renderCompliance), load("/api/v1/alerts", renderAlerts),
    load("/api/v1/deadlines?limit=20", renderDeadlines)]);
}

refresh();
const stream = new EventSource("/api/v1/stream");
stream.addEventListener("compliance", (e) => renderCompliance(JSON.parse(e.data)));
stream.addEventListener("alert", () => load("/api/v1/alerts", renderAlerts));
