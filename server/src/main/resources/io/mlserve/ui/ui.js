// mlserve dashboard: shared helpers (DOM building, JSON fetching, formatting, charts, admin
// token). Every text from the server goes into the page as a text node or an attribute value,
// never as markup; the one exception is a model card, which the server renders with raw HTML
// escaped (GET .../card).
"use strict";

const UI = (() => {
  const TOKEN_KEY = "mlserve.adminToken";

  /** el("td", {class: "num", "data-field": "rate"}, "1.2", otherNode...) */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "onclick" || k === "onchange" || k === "onsubmit") e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function table(id, headers, rows, attrs) {
    return el("table", Object.assign({id}, attrs || {}),
      el("thead", {}, el("tr", {}, headers.map(h => el("th", {class: h.num ? "num" : null},
        h.label || h)))),
      el("tbody", {}, rows));
  }

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  function setToken(t) {
    if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY);
  }

  /** GET path as JSON; null on 404 (a feature this server does not serve). */
  async function get(path, opts) {
    const r = await fetch(path, {headers: {"Accept": "application/json"}, cache: "no-store"});
    if (r.status === 404 && opts && opts.optional) return null;
    if (!r.ok) throw new Error(await errorText(r, path));
    return r.json();
  }

  /** An admin mutation with the token from sessionStorage. */
  async function post(path, body) {
    const headers = {"Content-Type": "application/json", "X-Mlserve-Actor": "dashboard"};
    const t = token();
    if (t) headers["Authorization"] = "Bearer " + t;
    const r = await fetch(path, {method: "POST", headers, body: JSON.stringify(body || {})});
    if (!r.ok) throw new Error(await errorText(r, path));
    return r.json();
  }

  async function errorText(r, path) {
    let msg = r.status + " " + r.statusText;
    try {
      const j = await r.json();
      if (j && j.error) msg = r.status + ": " + (j.error.message || j.error);
    } catch (e) { /* not JSON */ }
    return msg + " (" + path + ")";
  }

  let servesCache = null;

  /** Which optional reads the server answers (the overview's "serves"); fetched once. */
  async function serves() {
    if (!servesCache) servesCache = (await get("/api/v1/dashboard/overview")).serves;
    return servesCache;
  }

  function setServes(s) { servesCache = s; }

  function enc(s) { return encodeURIComponent(s); }

  function num(x, digits) {
    if (x === null || x === undefined || Number.isNaN(x)) return "–";
    const d = digits === undefined ? (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2) : digits;
    return Number(x).toFixed(d);
  }

  function pct(x) { return x === null || x === undefined ? "–" : (100 * x).toFixed(2) + "%"; }

  function bytes(x) {
    if (x === null || x === undefined || Number.isNaN(x)) return "–";
    const u = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (x >= 1024 && i < u.length - 1) { x /= 1024; i++; }
    return x.toFixed(i ? 1 : 0) + " " + u[i];
  }

  function time(ms) {
    return ms ? new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : "–";
  }

  function stage(s) { return el("span", {class: "stage stage-" + s, "data-stage": s}, s); }

  /** The last non-null value of a series array. */
  function last(values) {
    if (!values) return null;
    for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
    return null;
  }

  function status(msg) {
    document.getElementById("status").textContent = msg || "";
  }

  /**
   * A uPlot line chart in `host` (created on first call, then given new data). `seriesNames`
   * label the y series; data is [xs, ys1, ys2, ...] with xs in epoch seconds (or steps when
   * opts.steps).
   */
  function chart(host, title, seriesNames, data, opts) {
    const o = opts || {};
    const width = Math.max(320, Math.min(host.clientWidth || 520, 760));
    const key = seriesNames.join("\u0000");
    if (host._plot && host._plotKey === key) {
      host._plot.setData(data);
      return host._plot;
    }
    if (host._plot) host._plot.destroy();
    const colors = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795", "#718096"];
    const plot = new uPlot({
      title, width, height: o.height || 200,
      scales: {x: {time: !o.steps}},
      series: [{label: o.steps ? "step" : "time"}].concat(seriesNames.map((n, i) => ({
        label: n, stroke: colors[i % colors.length], width: 1.5, spanGaps: false,
        value: (u, v) => v === null || v === undefined ? "–" : (o.format || num)(v),
      }))),
      axes: [{}, {values: (u, vals) => vals.map(v => (o.format || num)(v)), size: 80}],
      legend: {live: true},
    }, data, host);
    host._plot = plot;
    host._plotKey = key;
    return plot;
  }

  return {el, table, token, setToken, get, post, serves, setServes, enc, num, pct, bytes, time, stage, last,
    status, chart};
})();
