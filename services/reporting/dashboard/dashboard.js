// The live dashboard of pqrflow-reporting. Plain ES2020, no framework, no build step:
// reporting embeds this file and serves it at /dashboard.js.
//
// Data: the REST API (docs/api.yaml) once at start and on every (re)connection, then the
// Server-Sent Events of /api/v1/stream, whose "compliance", "alerts" and "deadlines"
// events carry the same payloads as the REST endpoints. When the stream fails the page
// polls the REST API until the stream is back.
//
// Rendering: payloads are stored and drawn once per animation frame; the DOM is built
// once and then only the texts and attributes that changed are written, so a burst of
// events does not thrash the layout. Numbers are shown in es-CO (decimal comma); the
// raw API number of every figure is kept in a data-value attribute (the browser test
// compares them with the API).
"use strict";

(() => {
  const API = {
    compliance: "/api/v1/compliance",
    alerts: "/api/v1/alerts",
    deadlines: "/api/v1/deadlines",
    stream: "/api/v1/stream",
  };
  const DEADLINE_ROWS = 50;   // rows of the worklist table (the stream sends 100)
  const POLL_MS = 5000;       // REST polling while the stream is down
  const RETRY_MAX_MS = 30000; // longest wait before opening a new stream

  // ---- Spanish labels -----------------------------------------------------------------
  const STATUS = {
    cumplida: "Cumplida",
    en_curso: "En curso",
    en_riesgo: "En riesgo",
    sin_datos: "Sin datos",
    seguimiento: "Seguimiento",
  };
  const RULES = {
    pqr_pending_ratio_rising: "Razón de PQR pendientes en aumento",
    legal_deadline_overdue: "PQR vencidas sin respuesta",
    legal_deadline_due_soon: "PQR próximas a vencer",
  };
  const ALERT_STATES = { pending: "Pendiente", firing: "Activa", resolved: "Resuelta" };
  const KINDS = {
    peticion: "Petición",
    queja: "Queja",
    reclamo: "Reclamo",
    denuncia: "Denuncia",
    recurso_reposicion: "Recurso de reposición",
    recurso_apelacion: "Recurso de apelación",
    solicitud_informacion: "Solicitud de información",
  };
  const MONTHS = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"];
  const MONTH_INITIALS = ["E", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"];

  // ---- formatting (es-CO) -------------------------------------------------------------
  const formats = new Map();
  function number(v, digits) {
    if (v === null || v === undefined || !Number.isFinite(Number(v))) return "—";
    let f = formats.get(digits);
    if (!f) {
      f = new Intl.NumberFormat("es-CO", { minimumFractionDigits: digits, maximumFractionDigits: digits });
      formats.set(digits, f);
    }
    return f.format(Number(v));
  }
  // A numerator or denominator: whole numbers as such, others with two decimals.
  const count = (v) => number(v, Number.isInteger(Number(v)) ? 0 : 2);
  const UNIT_SUFFIX = { "%": " %", hours: " h", minutes: " min" };
  function withUnit(v, unit, digits = 2) {
    if (v === null || v === undefined) return "—";
    return number(v, digits) + (UNIT_SUFFIX[unit] ?? "");
  }
  const percentOfOne = (v) => (v === null || v === undefined ? "—" : `${number(v * 100, 0)} %`);
  // The raw API number as text, "null" when absent: what data-value holds.
  const raw = (v) => (v === null || v === undefined ? "null" : String(v));
  // "2024-06-30T23:59:59-05:00" → "30 jun 2024, 23:59" (the API's local Bogotá time, as is).
  function instant(s) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(s || "");
    return m ? `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}, ${m[4]}:${m[5]}` : "—";
  }
  function date(s) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s || "");
    return m ? `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}` : "—";
  }
  function daysLeft(n) {
    if (n < 0) return `vencida · ${-n} ${n === -1 ? "día" : "días"}`;
    if (n === 0) return "vence hoy";
    return `${n} ${n === 1 ? "día" : "días"}`;
  }
  const subject = (s) => (s === "all" ? "todas las oficinas" : s.startsWith("office:") ? `oficina ${s.slice(7)}` : s);
  const office = (o) => (o ? o : "(sin oficina)");

  // ---- DOM helpers --------------------------------------------------------------------
  const $ = (id) => document.getElementById(id);
  function h(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    node.append(...children);
    return node;
  }
  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }
  function setAttr(node, name, value) {
    if (node.getAttribute(name) !== value) node.setAttribute(name, value);
  }
  // A figure: the formatted text and the raw API number.
  function setFigure(node, value, text) {
    setText(node, text);
    setAttr(node, "data-value", raw(value));
  }
  const escapeXml = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

  // ---- state and frame scheduling -----------------------------------------------------
  const state = { compliance: null, alerts: null, deadlines: null, live: null, filter: { office: "", kind: "" } };
  const dirty = new Set();
  let frame = 0;
  function schedule(part) {
    dirty.add(part);
    if (!frame) frame = requestAnimationFrame(flush);
  }
  function flush() {
    frame = 0;
    const parts = new Set(dirty);
    dirty.clear();
    if (parts.has("compliance") && state.compliance) renderCompliance(state.compliance);
    if (parts.has("live") && state.live) renderLive(state.live);
    if (parts.has("alerts") && state.alerts) renderAlerts(state.alerts);
    if (parts.has("deadlines") && state.deadlines) renderDeadlines(state.deadlines);
  }
  // Every payload carries the live figures; the newest one wins.
  function accept(kind, payload) {
    state[kind] = payload;
    if (payload.live) {
      state.live = payload.live;
      schedule("live");
    }
    schedule(kind);
  }

  // ---- header and plan score ----------------------------------------------------------
  function renderHeader(c) {
    setText($("form"), c.form ? `Plan de acción por procesos ${c.form} v${c.form_version}` : "Plan de acción por procesos");
    setText($("plan-id"), c.plan || "—");
    setText($("process"), c.process || "—");
    setText($("responsible"), c.responsible || "—");
    setText($("objective"), c.objective || "");
    setText($("score-year"), c.period || "");
    const asOf = $("as-of");
    setText(asOf, instant(c.as_of));
    setAttr(asOf, "data-value", c.as_of || "");
    if (c.as_of) setAttr(asOf, "datetime", c.as_of);
    setFigure($("plan-score"), c.plan_score, withUnit(c.plan_score, "%"));
    setFigure($("covered-weight"), c.covered_weight, percentOfOne(c.covered_weight));
    const status = $("plan-status");
    setText(status, STATUS[c.status] || c.status);
    setAttr(status, "data-status", c.status);
    setAttr($("score-box"), "data-status", c.status);
  }

  // ---- indicator cards ----------------------------------------------------------------
  const cards = new Map(); // indicator id → {root, fields…}

  function actionLabel(i) {
    if (i.action === "objetivo") return "Objetivo institucional";
    return i.action ? `Acción ${i.action}` : "";
  }

  function buildCard(i) {
    const id = `card-${i.indicator}`;
    const f = {};
    f.status = h("span", { class: "chip" });
    f.value = h("span", { class: "value", "data-field": "value" });
    f.ratio = h("span", { class: "value-ratio", title: "numerador / denominador del año corrido" });
    f.baseline = h("dd", { "data-field": "baseline" });
    f.target = h("dd", { "data-field": "target" });
    f.weight = h("dd", { "data-field": "weight" });
    f.achievement = h("span", { "data-field": "achievement" });
    f.barFill = h("span", { class: "bar-fill" });
    f.bar = h("div", { class: "bar", role: "meter", "aria-valuemin": "0", "aria-valuemax": "100", "aria-label": "Logro de la meta" }, f.barFill);
    f.trend = h("figure", { class: "trend" });
    const goal = h("p", { class: "card-goal", text: i.goal || (i.tracked ? "Se mide para evaluar; sin meta en el plan." : "") });
    const formula = h("p", { class: "card-formula", text: i.formula ? `Fórmula: ${i.formula}` : "" });
    const root = h("article", { class: "card", "data-indicator": i.indicator, "aria-labelledby": `${id}-title` },
      h("header", { class: "card-head" },
        h("div", {},
          h("p", { class: "card-action", text: actionLabel(i) }),
          h("h3", { id: `${id}-title`, text: i.name || i.indicator })),
        f.status),
      goal,
      h("div", { class: "card-body" },
        h("p", { class: "card-value" }, f.value, h("span", { class: "value-label", text: "año corrido" }), f.ratio),
        h("dl", { class: "card-ref" },
          h("div", {}, h("dt", { text: "Línea base" }), f.baseline),
          h("div", {}, h("dt", { text: "Meta" }), f.target),
          h("div", {}, h("dt", { text: "Peso" }), f.weight))),
      h("div", { class: "achv" },
        h("p", { class: "achv-label" }, h("span", { text: "Logro de la meta" }), f.achievement),
        f.bar),
      f.trend,
      formula);
    return { root, f, trendKey: "" };
  }

  // Decimals of a card's figures: three when they are all below one (reformados are a
  // fraction of a percent), else two.
  function cardDigits(i) {
    const sizes = [i.value, i.baseline, i.target].filter((v) => v !== null && v !== undefined).map((v) => Math.abs(v));
    return sizes.length && Math.max(...sizes) < 1 ? 3 : 2;
  }

  function targetText(i, digits) {
    if (i.target === null || i.target === undefined) return "—";
    const sign = i.direction === "aumentar" ? "≥ " : i.direction === "disminuir" ? "≤ " : "";
    return sign + withUnit(i.target, i.unit, digits);
  }

  function updateCard(card, i, year, width) {
    const { root, f } = card;
    const status = i.tracked ? "seguimiento" : i.status;
    setAttr(root, "data-status", status);
    setAttr(root, "data-value", raw(i.value));
    setText(f.status, i.tracked && i.status !== "sin_datos" ? `${STATUS.seguimiento} · ${STATUS[i.status]}` : STATUS[status] || status);
    setAttr(f.status, "data-status", i.tracked ? "seguimiento" : i.status);
    const digits = cardDigits(i);
    setFigure(f.value, i.value, withUnit(i.value, i.unit, digits));
    setText(f.ratio, i.value === null ? "sin datos en el año" : `${count(i.numerator)} / ${count(i.denominator)}`);
    setFigure(f.baseline, i.baseline, withUnit(i.baseline, i.unit, digits));
    setFigure(f.target, i.target, targetText(i, digits));
    setFigure(f.weight, i.weight, percentOfOne(i.weight));
    setFigure(f.achievement, i.achievement, percentOfOne(i.achievement));
    const pct = i.achievement === null ? 0 : Math.round(Math.max(0, Math.min(1, i.achievement)) * 100);
    f.barFill.style.width = `${pct}%`;
    setAttr(f.bar, "aria-valuenow", String(pct));
    setAttr(f.bar, "aria-valuetext", i.achievement === null ? "sin datos" : `${pct} %`);
    const key = JSON.stringify([i.trend, i.baseline, i.target, i.unit, year, width]);
    if (key !== card.trendKey) {
      card.trendKey = key;
      f.trend.innerHTML = trendSvg(i, year, width);
    }
  }

  function renderCards(c) {
    const year = Number(c.period);
    const ids = c.indicators.map((i) => i.indicator).join(",");
    if (ids !== renderCards.ids) {
      renderCards.ids = ids;
      cards.clear();
      const weighted = [], tracked = [];
      for (const i of c.indicators) {
        const card = buildCard(i);
        cards.set(i.indicator, card);
        (i.tracked ? tracked : weighted).push(card.root);
      }
      $("cards").replaceChildren(...weighted);
      $("tracked-cards").replaceChildren(...tracked);
    }
    // Chart widths are read for all cards before any card is written: one layout, not
    // one per card.
    const widths = new Map();
    for (const [id, card] of cards) widths.set(id, Math.round(card.f.trend.getBoundingClientRect().width));
    for (const i of c.indicators) updateCard(cards.get(i.indicator), i, year, widths.get(i.indicator));
  }
  // A new window width redraws the charts at their new size (text stays at its size).
  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => schedule("compliance"), 150);
  });

  // The monthly trend of the plan year as an inline SVG: the value per month, with the
  // baseline and the target as reference lines.
  // Drawn at the figure's own width in pixels (viewBox = size), so labels keep their size
  // on any screen.
  function trendSvg(i, year, width) {
    const W = Math.max(240, width || 320), H = 112, L = 44, R = 34, T = 8, B = 18;
    const points = Array(12).fill(null);
    const periods = Array(12).fill(null);
    for (const p of i.trend || []) {
      const m = /^(\d{4})-(\d{2})$/.exec(p.period);
      if (!m || Number(m[1]) !== year) continue;
      points[Number(m[2]) - 1] = p.value;
      periods[Number(m[2]) - 1] = p.period;
    }
    const known = points.filter((v) => v !== null);
    const refs = [i.baseline, i.target].filter((v) => v !== null && v !== undefined);
    const all = known.concat(refs);
    const label = [`Tendencia mensual ${year} de ${i.name || i.indicator}`];
    points.forEach((v, k) => { if (periods[k]) label.push(`${MONTHS[k]}: ${withUnit(v, i.unit)}`); });
    if (i.baseline !== null && i.baseline !== undefined) label.push(`línea base ${withUnit(i.baseline, i.unit)}`);
    if (i.target !== null && i.target !== undefined) label.push(`meta ${withUnit(i.target, i.unit)}`);
    const aria = escapeXml(label.join("; "));
    if (all.length === 0) {
      return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${aria}"><text x="${W / 2}" y="${H / 2}" class="t-empty" text-anchor="middle">sin datos mensuales</text></svg>`;
    }
    let lo = Math.min(...all), hi = Math.max(...all);
    if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
    const pad = (hi - lo) * 0.12;
    lo -= pad; hi += pad;
    if (lo < 0 && Math.min(...all) >= 0) lo = 0;
    const x = (k) => L + (k * (W - L - R)) / 11;
    const y = (v) => T + ((hi - v) / (hi - lo)) * (H - T - B);
    const f1 = (n) => n.toFixed(1);
    const out = [`<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${aria}">`];
    const axisDigits = Math.max(Math.abs(hi - pad), Math.abs(lo + pad)) < 1 ? 3 : 1;
    out.push(`<text x="${L - 5}" y="${f1(y(hi - pad) + 3.5)}" class="t-axis" text-anchor="end">${escapeXml(number(hi - pad, axisDigits))}</text>`);
    out.push(`<text x="${L - 5}" y="${f1(y(lo + pad) + 3.5)}" class="t-axis" text-anchor="end">${escapeXml(number(lo + pad, axisDigits))}</text>`);
    out.push(`<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" class="t-grid"/>`);
    // Reference lines, labelled at the right; labels closer than a line apart are pushed
    // apart (the one above goes up) so "base" and "meta" never overlap.
    const refLines = [[i.baseline, "t-base", "base"], [i.target, "t-target", "meta"]]
      .filter(([v]) => v !== null && v !== undefined)
      .map(([v, cls, name]) => ({ v, cls, name, ly: y(v) + 3.5 }));
    if (refLines.length === 2 && Math.abs(refLines[0].ly - refLines[1].ly) < 11) {
      const [upper, lower] = refLines[0].ly <= refLines[1].ly ? refLines : [refLines[1], refLines[0]];
      const mid = (upper.ly + lower.ly) / 2;
      upper.ly = mid - 5.5;
      lower.ly = mid + 5.5;
    }
    for (const r of refLines) {
      out.push(`<line x1="${L}" x2="${W - R}" y1="${f1(y(r.v))}" y2="${f1(y(r.v))}" class="${r.cls}"/>`);
      out.push(`<text x="${W - R + 3}" y="${f1(r.ly)}" class="t-ref ${r.cls}-t">${r.name}</text>`);
    }
    let d = "";
    let pen = false;
    points.forEach((v, k) => {
      if (v === null) { pen = false; return; }
      d += `${pen ? "L" : "M"}${f1(x(k))} ${f1(y(v))}`;
      pen = true;
    });
    if (d) out.push(`<path d="${d}" class="t-line"/>`);
    points.forEach((v, k) => {
      if (v === null) return;
      out.push(`<circle cx="${f1(x(k))}" cy="${f1(y(v))}" r="2.6" class="t-dot" data-period="${periods[k]}" data-value="${raw(v)}"><title>${MONTHS[k]} ${year}: ${escapeXml(withUnit(v, i.unit))}</title></circle>`);
    });
    MONTH_INITIALS.forEach((m, k) => {
      out.push(`<text x="${f1(x(k))}" y="${H - 4}" class="t-axis" text-anchor="middle">${m}</text>`);
    });
    out.push("</svg>");
    return out.join("");
  }

  function renderCompliance(c) {
    renderHeader(c);
    renderCards(c);
  }

  // ---- live figures -------------------------------------------------------------------
  function renderLive(l) {
    setFigure($("live-ratio"), l.pending_ratio, withUnit(l.pending_ratio, "%"));
    setFigure($("live-pending"), l.pending, number(l.pending, 0));
    setFigure($("live-filed"), l.filed_30d, number(l.filed_30d, 0));
    setFigure($("live-due-soon"), l.due_soon, number(l.due_soon, 0));
    setFigure($("live-overdue"), l.overdue, number(l.overdue, 0));
    const key = JSON.stringify(l.by_office);
    if (key !== renderLive.key) {
      renderLive.key = key;
      $("offices").tBodies[0].replaceChildren(...l.by_office.map((o) => h("tr", { "data-office": o.office },
        h("th", { scope: "row", text: office(o.office) }),
        h("td", { class: "num", "data-value": raw(o.pending), text: number(o.pending, 0) }),
        h("td", { class: "num", "data-value": raw(o.filed_30d), text: number(o.filed_30d, 0) }),
        h("td", { class: "num", "data-value": raw(o.due_soon), text: number(o.due_soon, 0) }),
        h("td", { class: "num", "data-value": raw(o.overdue), text: number(o.overdue, 0) + (o.overdue > 0 ? " ⚠" : "") }))));
      updateOfficeOptions(l.by_office.map((o) => o.office));
    }
  }

  // ---- alerts -------------------------------------------------------------------------
  // Value and threshold in the rule's unit: the ratio in %, the deadline rules in tickets.
  function alertValue(a, v) {
    return a.rule === "pqr_pending_ratio_rising" ? withUnit(v, "%") : `${number(v, 0)} PQR`;
  }

  // The rule's figure now, from the live figures (the alert's own value is the one it
  // had at its last transition).
  const LIVE_OF_RULE = { pqr_pending_ratio_rising: "pending_ratio", legal_deadline_overdue: "overdue", legal_deadline_due_soon: "due_soon" };

  // "ahora …" when the live figure no longer reads like the transition's value.
  function nowText(a, x) {
    const field = LIVE_OF_RULE[x.rule];
    if (!a.live || x.subject !== "all" || !field) return "";
    const now = alertValue(x, a.live[field]);
    return now === alertValue(x, x.value) ? "" : now;
  }

  // The list is rebuilt only when the alerts change (it is an aria-live region); the
  // "ahora …" figures follow the live figures in place.
  function renderAlerts(a) {
    const key = JSON.stringify([a.active, a.recent.slice(0, 8)]);
    if (key === renderAlerts.key) {
      for (const li of $("alerts").querySelectorAll("li.alert")) {
        const x = a.active.find((y) => y.rule === li.dataset.rule && y.subject === li.dataset.subject);
        const now = li.querySelector(".alert-now");
        if (x && now) {
          setText(now.querySelector("span"), nowText(a, x) || alertValue(x, x.value));
        }
      }
      return;
    }
    renderAlerts.key = key;
    setText($("alerts-count"), String(a.active.length));
    const items = a.active.map((x) => {
      const cmp = x.state === "resolved" ? "<" : "≥";
      return h("li", { class: "alert", "data-rule": x.rule, "data-subject": x.subject, "data-state": x.state },
        h("div", { class: "alert-head" },
          h("strong", { text: RULES[x.rule] || x.rule }),
          h("span", { class: "chip", "data-status": x.state === "firing" ? "en_riesgo" : "en_curso", text: ALERT_STATES[x.state] || x.state })),
        h("p", { class: "alert-figures" },
          h("span", { "data-field": "value", "data-value": raw(x.value), text: alertValue(x, x.value) }),
          ` ${cmp} umbral `,
          h("span", { "data-field": "threshold", "data-value": raw(x.threshold), text: alertValue(x, x.threshold) }),
          ` · ${subject(x.subject)}`),
        LIVE_OF_RULE[x.rule] && x.subject === "all"
          ? h("p", { class: "alert-now" }, "ahora ", h("span", { "data-field": "now", text: nowText(a, x) || alertValue(x, x.value) }))
          : "",
        h("p", { class: "alert-since" },
          "desde ", h("time", { datetime: x.since || x.at, text: instant(x.since || x.at) }),
          x.since && x.since !== x.at ? ` · ${(ALERT_STATES[x.state] || x.state).toLowerCase()} desde ${instant(x.at)}` : ""));
    });
    if (items.length === 0) items.push(h("li", { class: "alert-none", text: "Sin alertas activas." }));
    $("alerts").replaceChildren(...items);
    $("transitions").replaceChildren(...a.recent.slice(0, 8).map((t) => h("tr", { "data-rule": t.rule, "data-state": t.state },
      h("td", {}, h("time", { datetime: t.at, text: instant(t.at) })),
      h("td", { text: RULES[t.rule] || t.rule }),
      h("td", { text: ALERT_STATES[t.state] || t.state }),
      h("td", { class: "num", "data-value": raw(t.value), text: alertValue(t, t.value) }))));
    if (a.recent.length === 0) {
      $("transitions").replaceChildren(h("tr", {}, h("td", { colspan: "4", class: "empty", text: "Ninguna todavía." })));
    }
  }

  // ---- deadline worklist --------------------------------------------------------------
  function filterQuery() {
    const q = new URLSearchParams();
    if (state.filter.office) q.set("office", state.filter.office);
    if (state.filter.kind) q.set("kind", state.filter.kind);
    q.set("limit", String(DEADLINE_ROWS));
    return q.toString();
  }
  const filtered = () => Boolean(state.filter.office || state.filter.kind);

  function renderDeadlines(d) {
    const rows = d.items.slice(0, DEADLINE_ROWS);
    const key = JSON.stringify(rows) + filterQuery();
    if (key !== renderDeadlines.key) {
      renderDeadlines.key = key;
      const body = $("deadlines").tBodies[0];
      if (rows.length === 0) {
        body.replaceChildren(h("tr", {}, h("td", { colspan: "6", class: "empty", text: "Ninguna PQR pendiente cerca de su vencimiento." })));
      } else {
        body.replaceChildren(...rows.map((i) => h("tr", {
          class: i.overdue ? "overdue" : i.business_days_left <= 1 ? "soon" : "",
          "data-ticket": i.ticket_id, "data-office": i.office, "data-kind": i.kind,
          "data-due": i.due_date, "data-days": String(i.business_days_left),
        },
        h("th", { scope: "row", text: i.ticket_id }),
        h("td", { text: office(i.office) }),
        h("td", { text: KINDS[i.kind] || i.kind }),
        h("td", {}, h("time", { datetime: i.filed_at, text: date(i.filed_at) })),
        h("td", {}, h("time", { datetime: i.due_date, text: date(i.due_date) })),
        h("td", { class: "num", text: daysLeft(i.business_days_left) }))));
      }
      updateOfficeOptions(rows.map((i) => i.office));
    }
    const shown = $("deadlines-shown");
    setText(shown, `${number(rows.length, 0)} de ${number(d.total, 0)} · ${number(d.overdue_total, 0)} vencidas`);
    setAttr(shown, "data-total", String(d.total));
  }

  const officeOptions = new Set();
  function updateOfficeOptions(names) {
    const select = $("filter-office");
    let added = false;
    for (const n of names) {
      if (n && !officeOptions.has(n)) { officeOptions.add(n); added = true; }
    }
    if (!added) return;
    const chosen = select.value;
    select.replaceChildren(h("option", { value: "", text: "Todas" }),
      ...[...officeOptions].sort((a, b) => a.localeCompare(b, "es")).map((n) => h("option", { value: n, text: n })));
    select.value = chosen;
  }

  function setupFilters() {
    const kind = $("filter-kind");
    kind.append(...Object.entries(KINDS).map(([v, t]) => h("option", { value: v, text: t })));
    const onChange = () => {
      state.filter = { office: $("filter-office").value, kind: kind.value };
      loadDeadlines();
    };
    $("filter-office").addEventListener("change", onChange);
    kind.addEventListener("change", onChange);
    $("filters").addEventListener("submit", (e) => e.preventDefault());
  }

  // ---- data ---------------------------------------------------------------------------
  async function getJson(url) {
    const r = await fetch(url, { cache: "no-store" });
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return r.json();
  }
  let deadlinesRequest = 0;
  async function loadDeadlines() {
    const ticket = ++deadlinesRequest;
    const query = filterQuery();
    try {
      const d = await getJson(`${API.deadlines}?${query}`);
      if (ticket === deadlinesRequest && query === filterQuery()) accept("deadlines", d);
    } catch (e) {
      console.warn("pqrflow:", e.message);
    }
  }
  async function refreshAll() {
    const jobs = [
      getJson(API.compliance).then((c) => accept("compliance", c)),
      getJson(API.alerts).then((a) => accept("alerts", a)),
      loadDeadlines(),
    ];
    for (const r of await Promise.allSettled(jobs)) {
      if (r.status === "rejected") console.warn("pqrflow:", r.reason && r.reason.message);
    }
  }

  // ---- the stream, with polling as the fallback ---------------------------------------
  let source = null;
  let pollTimer = 0;
  let retryTimer = 0;
  let retryDelay = 1000;
  const CONN = { live: "en vivo", connecting: "conectando…", polling: "consulta periódica (reconectando)" };
  function setConn(s) {
    const node = $("conn");
    setAttr(node, "data-conn", s);
    setText(node, CONN[s]);
  }
  function startPolling() {
    if (!pollTimer) pollTimer = setInterval(refreshAll, POLL_MS);
  }
  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = 0;
  }
  function onPayload(kind) {
    return (e) => {
      let payload;
      try {
        payload = JSON.parse(e.data);
      } catch (err) {
        console.warn("pqrflow: unreadable", kind, "event");
        return;
      }
      // A filtered worklist is not what the stream sends: ask the API for it instead.
      if (kind === "deadlines" && filtered()) {
        loadDeadlines();
        return;
      }
      accept(kind, payload);
    };
  }
  function connect() {
    retryTimer = 0;
    setConn("connecting");
    source = new EventSource(API.stream);
    source.addEventListener("open", () => {
      retryDelay = 1000;
      setConn("live");
      stopPolling();
      refreshAll(); // whatever changed while (re)connecting
    });
    source.addEventListener("compliance", onPayload("compliance"));
    source.addEventListener("alerts", onPayload("alerts"));
    source.addEventListener("deadlines", onPayload("deadlines"));
    source.addEventListener("error", () => {
      setConn("polling");
      startPolling();
      // The browser retries by itself unless the stream is closed for good.
      if (source.readyState === EventSource.CLOSED && !retryTimer) {
        source.close();
        retryTimer = setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
      }
    });
  }

  setupFilters();
  refreshAll();
  connect();
})();
