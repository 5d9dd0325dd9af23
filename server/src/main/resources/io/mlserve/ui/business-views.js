// mlserve dashboard: Experiments (runs side by side, a metric's series) and Business / usage
// (requests by model, version and client; feedback-derived quality from the A/B reports).
"use strict";

const BusinessViews = (() => {
  const {el, table, get, enc, num, time, chart} = UI;

  function lastValue(points) {
    return points && points.length ? points[points.length - 1].value : null;
  }

  // ---- Experiments: a model's runs, params and final metrics side by side; one metric plotted.
  const experiments = {
    title: "Experiments", poll: 0,
    render(main, args, query) {
      main.appendChild(el("section", {id: "experiments", "data-model": args[0] || ""},
        el("div", {class: "toolbar", id: "experiments-toolbar"}),
        el("div", {id: "experiments-body"})));
      return {name: args[0], metric: query.get("metric")};
    },
    async refresh(s) {
      const {picker, names} = await Views.modelPicker("experiments", s.name);
      const name = s.name || names[0];
      const tools = [picker];
      const body = document.getElementById("experiments-body");
      if (!name) { document.getElementById("experiments-toolbar").replaceChildren(picker); return; }
      const d = await get("/api/v1/models/" + enc(name) + "/runs");
      const runs = d.runs || [];
      const params = Array.from(new Set(runs.flatMap(r => Object.keys(r.params || {})))).sort();
      const metrics = Array.from(new Set(runs.flatMap(r => Object.keys(r.metrics || {})))).sort();
      const metric = metrics.includes(s.metric) ? s.metric : metrics[0];
      if (metrics.length) {
        tools.push(el("label", {}, "Metric ", el("select", {id: "experiments-metric",
          onchange: e => { location.hash = "#/experiments/" + enc(name) + "?metric="
            + enc(e.target.value); }}, metrics.map(m => el("option", {value: m,
              selected: m === metric}, m)))));
      }
      document.getElementById("experiments-toolbar").replaceChildren(...tools);
      if (!runs.length) {
        body.replaceChildren(el("p", {class: "muted", id: "experiments-empty"},
          "no runs for " + name));
        return;
      }
      const rows = runs.map(r => el("tr", {"data-run": r.run_id},
        el("td", {}, r.name || r.run_id), el("td", {}, r.status), el("td", {}, time(r.start_time)),
        params.map(p => el("td", {"data-param": p}, r.params && p in r.params
          ? String(r.params[p]) : "–")),
        metrics.map(m => el("td", {class: "num", "data-metric": m},
          num(lastValue(r.metrics[m]), 4)))));
      const plot = el("div", {class: "card", id: "experiments-chart", "data-metric": metric || ""});
      body.replaceChildren(
        table("experiments-runs", ["Run", "Status", "Started"].concat(params.map(p => "param " + p),
          metrics.map(m => ({label: m, num: 1}))), rows),
        plot);
      if (metric) {
        const series = runs.filter(r => r.metrics[metric] && r.metrics[metric].length);
        const steps = Array.from(new Set(series.flatMap(r => r.metrics[metric].map(p => p.step))))
          .sort((a, b) => a - b);
        const at = new Map(steps.map((x, i) => [x, i]));
        const ys = series.map(r => {
          const y = new Array(steps.length).fill(null);
          r.metrics[metric].forEach(p => { y[at.get(p.step)] = p.value; });
          return y;
        });
        chart(plot, metric + " by step", series.map(r => r.name || r.run_id), [steps].concat(ys),
          {steps: true, format: x => num(x, 4)});
      }
    },
  };

  // ---- Business / usage: requests by model, version and client; feedback quality.
  const usage = {
    title: "Usage", poll: 5000,
    render(main) {
      main.appendChild(el("section", {id: "usage"}, el("h1", {}, "Usage"),
        el("p", {class: "muted", id: "usage-meta"}), el("div", {id: "usage-body"}),
        el("h2", {}, "Requests by model"), el("div", {id: "usage-models"}),
        el("h2", {}, "Feedback-derived quality"), el("div", {id: "usage-quality"})));
      return {};
    },
    async refresh(s) {
      const u = await get("/api/v1/dashboard/usage");
      document.getElementById("usage-meta").textContent = "Since the server started; client = "
        + u.client_from + "; at most " + u.max_clients_per_version + " clients per version.";
      document.getElementById("usage-body").replaceChildren(table("usage-table",
        ["Model", "Version", "Client", {label: "requests", num: 1}, {label: "errors", num: 1}],
        u.rows.map(r => el("tr", {"data-model": r.model, "data-version": r.version,
          "data-client": r.client}, el("td", {}, r.model), el("td", {}, r.version),
          el("td", {}, r.client), el("td", {class: "num", "data-requests": r.requests}, r.requests),
          el("td", {class: "num"}, r.errors)))));
      const byModel = new Map();
      for (const r of u.rows) byModel.set(r.model, (byModel.get(r.model) || 0) + r.requests);
      document.getElementById("usage-models").replaceChildren(table("usage-models-table",
        ["Model", {label: "requests", num: 1}], Array.from(byModel, ([m, n]) =>
          el("tr", {"data-model": m}, el("td", {}, m), el("td", {class: "num"}, n)))));
      if (!s.quality || Date.now() - s.quality > 30000) { // the A/B reports change slowly
        s.quality = Date.now();
        if ((await UI.serves()).ab) await quality(Array.from(byModel.keys()).slice(0, 20));
      }
    },
  };

  async function quality(models) {
    const rows = [];
    for (const m of models) {
      const ab = await get("/api/v1/models/" + enc(m) + "/ab").catch(() => null);
      const w = ab && (ab.current || ab.previous);
      for (const arm of (w && w.arms) || []) {
        for (const [metric, o] of Object.entries(arm.outcomes || {})) {
          rows.push(el("tr", {"data-model": m, "data-version": arm.version, "data-outcome": metric},
            el("td", {}, m), el("td", {}, arm.version), el("td", {}, metric),
            el("td", {class: "num"}, o.n), el("td", {class: "num"}, num(o.value, 4)),
            el("td", {class: "num"}, o.ci_low === null || o.ci_low === undefined ? "–"
              : num(o.ci_low, 4) + " … " + num(o.ci_high, 4))));
        }
      }
    }
    document.getElementById("usage-quality").replaceChildren(rows.length
      ? table("usage-quality-table", ["Model", "Version", "Outcome", {label: "n", num: 1},
        {label: "value", num: 1}, {label: "95% CI", num: 1}], rows)
      : el("p", {class: "muted"}, "no feedback recorded (POST /api/v1/feedback)"));
  }

  return {experiments, usage};
})();
