// mlserve dashboard: the views. Each view is {title, poll (ms, 0: none), render(main, args)
// -> state, refresh(state)}; app.js routes to one and polls only it. Stable ids and data-*
// attributes (listed in docs/dashboard-ui.md) are what the browser tests read.
"use strict";

const Views = (() => {
  const {el, table, get, post, enc, num, pct, bytes, time, stage, last, chart} = UI;

  /** A model picker that navigates to `#/<view>/<model>`. */
  async function modelPicker(view, current) {
    const o = await get("/api/v1/dashboard/overview");
    UI.setServes(o.serves);
    const names = o.models.map(m => m.name);
    const sel = el("select", {id: "model-select", "aria-label": "model",
      onchange: e => { location.hash = "#/" + view + "/" + enc(e.target.value); }},
      names.map(n => el("option", {value: n, selected: n === current}, n)));
    return {picker: el("label", {}, "Model ", sel), names};
  }

  function alertsByModel(alerts) {
    const by = {};
    for (const a of (alerts && alerts.active) || []) {
      const k = a.model || "";
      (by[k] = by[k] || []).push(a);
    }
    return by;
  }

  // ---- Overview: every model, its versions, stages, split/rollout/shadow, live figures, alerts.
  const overview = {
    title: "Overview", poll: 2000,
    render(main) {
      main.appendChild(el("section", {id: "overview"}, el("h1", {}, "Models"),
        el("div", {id: "overview-body"}, el("p", {class: "muted"}, "loading…"))));
      return {};
    },
    async refresh() {
      const o = await get("/api/v1/dashboard/overview");
      UI.setServes(o.serves);
      const alerts = o.serves.alerts ? await get("/api/v1/alerts") : null;
      const firing = alertsByModel(alerts);
      const rows = [];
      for (const m of o.models) {
        const deploy = [];
        if (m.split) deploy.push("split " + Object.entries(m.split).map(([v, w]) => v + "=" + w)
          .join(", "));
        if (m.rollout) deploy.push("rollout " + m.rollout.candidate + " " + m.rollout.state
          + " step " + (m.rollout.step + 1) + "/" + m.rollout.steps + " (" + m.rollout.weight + "%)");
        if (m.shadow) deploy.push("shadow " + m.shadow.version + " (" + pct(m.shadow.sample) + ")");
        const modelAlerts = firing[m.name] || [];
        m.versions.forEach((v, i) => {
          const va = modelAlerts.filter(a => !a.version || a.version === v.version);
          rows.push(el("tr", {"data-model": m.name, "data-version": v.version, "data-stage": v.stage},
            el("td", {"data-field": "model"}, i === 0 ? el("a", {href: "#/model/" + enc(m.name)},
              m.name) : el("span", {class: "muted"}, m.name)),
            el("td", {"data-field": "version"}, v.version),
            el("td", {"data-field": "stage"}, stage(v.stage)),
            el("td", {"data-field": "deployment"}, i === 0 ? deploy.join("; ") || (m.state || "")
              : ""),
            el("td", {class: "num", "data-field": "rate"}, num(v.rate)),
            el("td", {class: "num", "data-field": "p50_ms"}, num(v.p50_ms)),
            el("td", {class: "num", "data-field": "p95_ms"}, num(v.p95_ms)),
            el("td", {class: "num", "data-field": "p99_ms"}, num(v.p99_ms)),
            el("td", {class: "num", "data-field": "error_rate"}, pct(v.error_rate)),
            el("td", {"data-field": "alerts", "data-alerts": va.length},
              va.map(a => el("div", {class: a.state}, a.alertname + " (" + a.state + ")")))));
        });
      }
      const body = document.getElementById("overview-body");
      body.replaceChildren(
        el("p", {class: "muted"}, o.models.length + " models; figures: mean of the last "
          + o.window_seconds + " s" + (alerts ? "" : "; alerts not served here")),
        table("overview-table", ["Model", "Version", "Stage", "Deployment",
          {label: "req/s", num: 1}, {label: "p50 ms", num: 1}, {label: "p95 ms", num: 1},
          {label: "p99 ms", num: 1}, {label: "errors", num: 1}, "Alerts"], rows,
          {"data-models": o.models.length}));
    },
  };

  // ---- Model: versions, card, stage history, events, evaluations, approval, drift, actions.
  const model = {
    title: "Model", poll: 0,
    render(main, args) {
      const name = args[0];
      const s = {name, main};
      main.appendChild(el("section", {id: "model", "data-model": name || ""},
        el("div", {class: "toolbar", id: "model-toolbar"}), el("div", {id: "model-body"})));
      return s;
    },
    async refresh(s) {
      const {picker, names} = await modelPicker("model", s.name);
      document.getElementById("model-toolbar").replaceChildren(picker);
      const name = s.name || names[0];
      if (!name) return;
      document.getElementById("model").setAttribute("data-model", name);
      const base = "/api/v1/models/" + enc(name);
      const serves = await UI.serves();
      const info = await get(base);
      const served = info.production || info.staging;
      const [hist, events, drift, approvals, alerts] = await Promise.all([
        get(base + "/history"), get("/api/v1/events?limit=10000"),
        serves.drift && served ? get(base + "/drift").catch(() => null) : null,
        get(base + "/policy").catch(() => null),
        serves.alerts ? get("/api/v1/alerts?model=" + enc(name)) : null]);
      const admin = !!UI.token();
      const body = document.getElementById("model-body");
      const versionRows = info.versions.map(v => el("tr", {"data-version": v.version},
        el("td", {}, v.version), el("td", {}, stage(v.stage)),
        el("td", {}, v.created_at || "–"), el("td", {}, v.run_id || "–"),
        el("td", {}, metricsText(v.manifest && v.manifest.metrics)),
        el("td", {"data-approval": v.version}, ""),
        el("td", {}, admin ? actions(name, v) : "")));
      body.replaceChildren(
        el("h1", {}, name),
        el("p", {}, "Production ", el("b", {}, info.production || "–"), " · Staging ",
          el("b", {}, info.staging || "–"), " · serving: ",
          info.serving ? info.serving.state : "–",
          admin ? el("button", {"data-action": "rollback", onclick: () => act(
            base + "/rollback", {reason: "dashboard"})}, "Roll back Production") : ""),
        el("h2", {}, "Versions"),
        table("model-versions", ["Version", "Stage", "Registered", "Run", "Metrics", "Approval",
          admin ? "Actions" : ""], versionRows),
        el("h2", {}, "Model card"), el("div", {id: "model-card", class: "model-card"},
          el("p", {class: "muted"}, "loading…")),
        el("h2", {}, "Stage history"),
        table("model-history", ["When", "Version", "From", "To", "Actor", "Reason"],
          hist.history.slice().reverse().map(h => el("tr", {"data-version": h.version},
            el("td", {}, time(h.timestamp)), el("td", {}, h.version), el("td", {}, h.from_stage || "–"),
            el("td", {}, h.to_stage), el("td", {}, h.actor || "–"), el("td", {}, h.reason || "")))),
        el("h2", {}, "Events"),
        el("ul", {id: "model-events"}, events.filter(e => e.model_name === name).slice(-50)
          .reverse().map(e => el("li", {"data-type": e.event_type},
            time(e.timestamp) + " " + e.event_type
            + (e.version ? " " + e.version : "")))),
        el("h2", {}, "Alerts"), alertsBlock(alerts),
        el("h2", {}, "Evaluations and approval"), el("div", {id: "model-evaluations"},
          approvals && approvals.policy ? el("pre", {id: "model-policy"},
            JSON.stringify(approvals.policy, null, 1)) :
            el("p", {class: "muted"}, "no approval policy")),
        el("h2", {}, "Drift"), driftBlock(drift));
      loadCard(name, info);
      loadEvaluations(name, info, serves);
    },
  };

  function metricsText(m) {
    if (!m || typeof m !== "object") return "–";
    return Object.entries(m).map(([k, v]) => k + "=" + (typeof v === "number" ? num(v, 4) : v))
      .join(", ");
  }

  function actions(name, v) {
    const base = "/api/v1/models/" + enc(name) + "/versions/" + enc(v.version);
    const out = [];
    if (v.stage !== "Production") out.push(el("button", {"data-action": "promote",
      "data-target": "Production", onclick: () => act(base + "/promote",
        {stage: "Production", reason: "dashboard"})}, "→ Production"));
    if (v.stage !== "Staging" && v.stage !== "Production") out.push(el("button", {
      "data-action": "promote", "data-target": "Staging", onclick: () => act(base + "/promote",
        {stage: "Staging", reason: "dashboard"})}, "→ Staging"));
    out.push(el("button", {"data-action": "approve", onclick: () => act(base + "/approve",
      {comment: "approved from the dashboard"})}, "Approve"));
    return out;
  }

  async function act(path, body) {
    try {
      await post(path, body);
      UI.status("");
      App.refreshNow();
    } catch (e) {
      UI.status(e.message);
    }
  }

  async function loadCard(name, info) {
    const host = document.getElementById("model-card");
    const v = info.production || info.latest;
    if (!v) { host.replaceChildren(el("p", {class: "muted"}, "no versions")); return; }
    const c = await get("/api/v1/models/" + enc(name) + "/versions/" + enc(v) + "/card");
    if (!c.html) { host.replaceChildren(el("p", {class: "muted"}, "no model card for " + v)); return; }
    // Safe: the server renders markdown with raw HTML escaped and unsafe URLs dropped.
    host.innerHTML = c.html;
    host.setAttribute("data-version", v);
  }

  async function loadEvaluations(name, info, serves) {
    const host = document.getElementById("model-evaluations");
    for (const v of info.versions.slice(-5)) {
      const base = "/api/v1/models/" + enc(name) + "/versions/" + enc(v.version);
      const [evals, appr] = await Promise.all([
        serves.evaluations ? get(base + "/evaluations").catch(() => null) : null,
        get(base + "/approval").catch(() => null)]);
      const cell = document.querySelector('#model-versions td[data-approval="' + CSS.escape(v.version) + '"]');
      if (cell && appr) cell.textContent = appr.state || appr.status || JSON.stringify(appr);
      const list = evals && (evals.evaluations || evals);
      if (list && list.length) {
        host.appendChild(el("h3", {}, v.version));
        host.appendChild(el("pre", {"data-evaluations": v.version},
          JSON.stringify(list.slice(-3), null, 1)));
      }
    }
  }

  function alertsBlock(alerts) {
    if (!alerts) return el("p", {class: "muted"}, "alerts are not served here");
    if (!alerts.active.length) return el("p", {id: "model-alerts", class: "muted"}, "none firing");
    return table("model-alerts", ["Alert", "State", "Version", "Value", "Summary"],
      alerts.active.map(a => el("tr", {class: a.state}, el("td", {}, a.alertname),
        el("td", {}, a.state), el("td", {}, a.version || "–"), el("td", {}, num(a.value)),
        el("td", {}, (a.annotations && a.annotations.summary) || ""))));
  }

  function driftBlock(d) {
    if (!d) return el("p", {class: "muted"}, "no drift report (the model is not served here)");
    const out = [];
    if (d.note) out.push(el("p", {class: "muted"}, d.note));
    for (const v of d.versions) {
      out.push(el("h3", {}, v.version + ": " + v.status));
      const feats = (v.features || []).concat(v.outputs || []);
      out.push(table("drift-" + v.version, ["Feature", {label: "PSI", num: 1}, {label: "KS", num: 1},
        "Drifted", {label: "rows", num: 1}, {label: "live mean", num: 1}, {label: "ref mean", num: 1}],
        feats.map(f => el("tr", {"data-feature": f.name, class: f.drifted ? "drifted" : null},
          el("td", {}, f.name), el("td", {class: "num"}, num(f.psi, 3)),
          el("td", {class: "num"}, num(f.ks, 3)), el("td", {}, f.drifted ? "yes" : "no"),
          el("td", {class: "num"}, f.rows), el("td", {class: "num"}, num(f.live_mean)),
          el("td", {class: "num"}, num(f.reference_mean)))), {"data-drift-version": v.version}));
    }
    return el("div", {id: "model-drift"}, out);
  }

  return {overview, model, modelPicker, alertsByModel};
})();
