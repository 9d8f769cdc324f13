// nasforge dashboard: polls the local server twice a second; every asset comes from it.
"use strict";
const PAGE = 50;
const POLL_MS = 500;  // a 304 costs the server one small query
const view = { study: null, summary: null, rows: [], sort: { key: "number", ascending: false },
  page: 0, filter: "", tags: {}, busy: false, rendered: false };
const $ = (id) => document.getElementById(id);
const api = (path) => "/api/studies/" + encodeURIComponent(view.study) + path;

async function fetchJSON(url) {
  // null when the server answers 304 (nothing changed since the last answer)
  const headers = view.tags[url] ? { "If-None-Match": view.tags[url] } : {};
  const response = await fetch(url, { headers, cache: "no-store" });
  if (response.status === 304) return null;
  if (!response.ok) throw new Error((await response.json()).error || response.statusText);
  view.tags[url] = response.headers.get("ETag");
  return response.json();
}

function columns() {
  const objectives = view.summary ? view.summary.objectives : ["val_acc"];
  const metrics = [...objectives];
  for (const extra of ["params", "flops", "test_acc"]) {
    if (!metrics.includes(extra) && view.rows.some((r) => r.metrics[extra] != null)) metrics.push(extra);
  }
  return [
    { key: "number", title: "#", value: (r) => r.number, number: true },
    { key: "state", title: "state", value: (r) => r.state },
    ...metrics.map((m) => ({ key: "m:" + m, title: m, value: (r) => r.metrics[m], number: true })),
    { key: "epochs", title: "epochs", value: (r) => r.metrics.fidelity ?? r.fidelity, number: true },
    { key: "cost_s", title: "seconds", value: (r) => r.cost_s, number: true },
    { key: "drawing", title: "drawing", value: null },
    { key: "text", title: "architecture", value: (r) => r.text },
    { key: "failure", title: "failure reason", value: (r) => r.failure },
  ];
}

function format(value) {
  if (value == null) return "";
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value) || Math.abs(value) >= 1e5) return value.toLocaleString("en");
  return value.toFixed(Math.abs(value) < 1 ? 4 : 2);
}

function sortedRows() {
  const column = columns().find((c) => c.key === view.sort.key) || columns()[0];
  const sign = view.sort.ascending ? 1 : -1;
  const rows = view.rows.filter((r) => !view.filter || r.state === view.filter);
  return rows.sort((a, b) => {
    const x = column.value(a), y = column.value(b);
    if (x == null && y == null) return a.number - b.number;
    if (x == null) return 1;  // missing values last, whichever the direction
    if (y == null) return -1;
    return (x < y ? -1 : x > y ? 1 : a.number - b.number) * sign;
  });
}

function renderTable() {
  const cols = columns();
  const head = $("trials").tHead.rows[0];
  head.replaceChildren(...cols.map((c) => {
    const th = document.createElement("th");
    th.textContent = c.title;
    th.dataset.key = c.key;
    if (c.key === view.sort.key) th.className = "sorted" + (view.sort.ascending ? " ascending" : "");
    if (c.value) th.onclick = () => {
      view.sort = { key: c.key, ascending: c.key === view.sort.key ? !view.sort.ascending : !c.number };
      view.page = 0;
      renderTable();
    };
    return th;
  }));
  const rows = sortedRows();
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  view.page = Math.min(view.page, pages - 1);
  $("page").textContent = `page ${view.page + 1} of ${pages} (${rows.length} trials)`;
  const body = $("trials").tBodies[0];
  body.replaceChildren(...rows.slice(view.page * PAGE, (view.page + 1) * PAGE).map((r) => {
    const tr = document.createElement("tr");
    tr.className = "state-" + r.state;
    tr.dataset.trial = r.number;
    tr.dataset.state = r.state;
    for (const c of cols) {
      const td = document.createElement("td");
      if (c.key === "drawing") {
        const img = document.createElement("img");
        img.loading = "lazy";
        img.alt = r.text;
        img.src = api(`/trials/${r.number}/drawing.svg`);
        td.className = "drawing";
        td.append(img);
      } else {
        td.textContent = c.number ? format(c.value(r)) : c.value(r) || "";
        td.className = c.number ? "number" : c.key === "text" ? "arch" : c.key;
      }
      tr.append(td);
    }
    return tr;
  }));
  const states = [...new Set(view.rows.map((r) => r.state))].sort();
  const filter = $("state-filter");
  if (filter.options.length - 1 !== states.length) {
    filter.replaceChildren(new Option("all", ""), ...states.map((s) => new Option(s, s)));
    filter.value = view.filter;
  }
}

let plotly = null;  // plotly.js (4.8 MB) loads after the table is on screen
function loadPlotly() {
  plotly ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "/static/plotly.min.js";
    script.onload = resolve;
    script.onerror = () => reject(new Error("plotly.js did not load"));
    document.head.append(script);
  });
  return plotly;
}

async function renderCharts(charts) {
  await loadPlotly();
  document.body.dataset.plotlyMs ??= Math.round(performance.now());
  const config = { displaylogo: false, responsive: true };
  Plotly.react("chart-best", charts.best.data, charts.best.layout, config);
  Plotly.react("chart-pareto", charts.pareto.data, charts.pareto.layout, config);
  const ops = charts.operations;
  $("operations-note").textContent = ops.completed
    ? `the best ${ops.top} of ${ops.completed} completed trials by ${ops.metric}`
    : "no completed trial yet";
  $("operations").tBodies[0].replaceChildren(...ops.decisions.map((d) => {
    const tr = document.createElement("tr");
    const name = document.createElement("td");
    name.textContent = d.decision;
    const cell = document.createElement("td");
    for (const c of d.choices) {
      const span = document.createElement("span");
      span.className = "choice";
      span.title = `${c.choice}: ${(100 * c.top).toFixed(0)}% of the best, ${(100 * c.all).toFixed(0)}% of all`;
      const top = document.createElement("span");
      top.className = "bar";
      top.style.width = 40 * c.top + "px";
      const all = document.createElement("span");
      all.className = "bar all";
      all.style.width = 40 * c.all + "px";
      span.append(`${c.choice} ${(100 * c.top).toFixed(0)}% `, top, " ", all);
      cell.append(span);
    }
    tr.append(name, cell);
    return tr;
  }));
}

function renderSummary(summary) {
  const counts = Object.entries(summary.counts).map(([s, n]) => `${n} ${s}`).join(", ");
  $("counts").textContent = counts || "no trials yet";
  const message = $("message");
  message.hidden = Object.keys(summary.counts).length > 0;
  message.textContent = "No trials yet: the page shows them as the search records them.";
  const settings = { ...summary.settings, directions: summary.directions, storage: summary.storage };
  if (summary.chosen) settings["chosen architecture"] = summary.chosen.best_arch;
  $("settings").tBodies[0].replaceChildren(...Object.entries(settings).map(([k, v]) => {
    const tr = document.createElement("tr");
    const key = document.createElement("th");
    key.textContent = k;
    const value = document.createElement("td");
    value.textContent = typeof v === "object" ? JSON.stringify(v) : String(v);
    tr.append(key, value);
    return tr;
  }));
}

async function refresh() {
  if (view.busy || !view.study) return;
  view.busy = true;
  try {
    const [summary, rows] = await Promise.all([fetchJSON(api("")), fetchJSON(api("/trials"))]);
    if (summary) { view.summary = summary; renderSummary(summary); }
    if (rows) view.rows = rows;
    if (rows || summary) renderTable();
    if (!document.body.dataset.tableMs) document.body.dataset.tableMs = Math.round(performance.now());
    const charts = await fetchJSON(api("/charts"));
    if (charts) await renderCharts(charts);
    $("live").className = "";
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
    document.body.dataset.version = view.summary.version;
    if (!view.rendered) {
      view.rendered = true;
      document.body.dataset.chartsMs = Math.round(performance.now());
    }
  } catch (error) {
    $("live").className = "stale";
    $("updated").textContent = "cannot reach the server: " + error.message;
  } finally {
    view.busy = false;
  }
}

async function start() {
  const listing = await (await fetch("/api/studies")).json();
  const select = $("study");
  select.replaceChildren(...listing.studies.map((s) => new Option(`${s.name} (${s.trials})`, s.name)));
  if (!listing.studies.length) {
    $("message").hidden = false;
    $("message").textContent = `${listing.storage} holds no study yet.`;
    return;
  }
  const wanted = new URLSearchParams(location.search).get("study");
  view.study = listing.studies.some((s) => s.name === wanted) ? wanted : listing.studies[0].name;
  select.value = view.study;
  select.onchange = () => {
    view.study = select.value;
    view.tags = {};
    view.page = 0;
    history.replaceState(null, "", "?study=" + encodeURIComponent(view.study));
    refresh();
  };
  $("state-filter").onchange = (e) => { view.filter = e.target.value; view.page = 0; renderTable(); };
  $("previous").onclick = () => { view.page = Math.max(0, view.page - 1); renderTable(); };
  $("next").onclick = () => { view.page += 1; renderTable(); };
  await refresh();
  setInterval(refresh, POLL_MS);
}

start();
