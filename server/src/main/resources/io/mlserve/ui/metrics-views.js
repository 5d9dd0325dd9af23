// mlserve dashboard: the metric views (Live, History, Technical) over /api/v1/metrics/*.
"use strict";

const MetricViews = (() => {
  const {el, get, enc, num, pct, bytes, last, chart} = UI;
  const LIVE_SECONDS = 60;

  /** Aligns series of (seconds, values) on the union of their seconds: uPlot's data shape. */
  function align(list) {
    const xs = Array.from(new Set(list.flatMap(s => s.seconds))).sort((a, b) => a - b);
    const at = new Map(xs.map((x, i) => [x, i]));
    const ys = list.map(s => {
      const y = new Array(xs.length).fill(null);
      s.seconds.forEach((x, i) => { y[at.get(x)] = s.values[i]; });
      return y;
    });
    return [xs].concat(ys);
  }

  function figure(label, attr, value) {
    const a = {};
    a[attr] = value === null || value === undefined ? "" : String(value);
    return el("div", {class: "figure"}, el("b", a, attr.includes("error") ? pct(value)
      : num(value)), el("small", {}, label));
  }

  // ---- Live: per version of one model, the last minute at 1 s, updated every second.
  const live = {
    title: "Live", poll: 1000,
    render(main, args) {
      main.appendChild(el("section", {id: "live", "data-model": args[0] || ""},
        el("div", {class: "toolbar", id: "live-toolbar"}), el("div", {id: "live-body",
          class: "cards"})));
      return {name: args[0], cards: new Map()};
    },
    async refresh(s) {
      if (!s.picked) {
        const {picker, names} = await Views.modelPicker("live", s.name);
        document.getElementById("live-toolbar").replaceChildren(picker);
        s.name = s.name || names[0];
        s.picked = true;
        if (!s.name) return;
        document.getElementById("live").setAttribute("data-model", s.name);
      }
      const d = await get("/api/v1/metrics/live?model=" + enc(s.name) + "&seconds=" + LIVE_SECONDS);
      const body = document.getElementById("live-body");
      for (const v of d.versions) {
        const key = v.version;
        let c = s.cards.get(key);
        if (!c) {
          c = {figs: el("div", {class: "figures"}), lat: el("div"), load: el("div")};
          body.appendChild(el("div", {class: "card live-version", "data-model": v.model,
            "data-version": v.version}, el("h2", {}, v.model + " " + v.version), c.figs, c.lat,
            c.load));
          s.cards.set(key, c);
        }
        const sr = v.series;
        c.figs.replaceChildren(
          figure("req/s", "data-live-rate", last(sr.rate)),
          figure("p50 ms", "data-live-p50", last(sr.p50_ms)),
          figure("p95 ms", "data-live-p95", last(sr.p95_ms)),
          figure("p99 ms", "data-live-p99", last(sr.p99_ms)),
          figure("errors", "data-live-errors", last(sr.error_rate)),
          figure("batch rows", "data-live-batch", last(sr.batch_rows_mean)),
          figure("queue", "data-live-queue", last(sr.queue_depth)),
          figure("in flight", "data-live-inflight", last(sr.in_flight)));
        chart(c.lat, "latency (ms)", ["p50", "p95", "p99"],
          [d.seconds, sr.p50_ms || [], sr.p95_ms || [], sr.p99_ms || []], {height: 160});
        chart(c.load, "rate (req/s) and queue", ["rate", "queue", "errors/s"],
          [d.seconds, sr.rate || [], sr.queue_depth || [],
            (sr.rate || []).map((r, i) => r === null || !sr.error_rate ? null
              : r * (sr.error_rate[i] || 0))], {height: 160});
      }
      if (!d.versions.length && !body.firstChild) {
        body.appendChild(el("p", {class: "muted", id: "live-empty"},
          "no live series for " + s.name + " yet (is it served, and has it had traffic?)"));
      }
    },
  };

  // ---- History: the same series over 1h / 1d / 7d / 30d, from the store.
  const RANGES = ["1h", "1d", "7d", "30d"];
  const HISTORY_SERIES = [["rate", "requests/s"], ["p95_ms", "p95 latency (ms)"],
    ["p99_ms", "p99 latency (ms)"], ["error_rate", "error rate"],
    ["batch_rows_mean", "batch rows"], ["queue_depth", "queue depth"]];
  const history = {
    title: "History", poll: 10000,
    render(main, args, query) {
      const range = RANGES.includes(query.get("range")) ? query.get("range") : "1h";
      main.appendChild(el("section", {id: "history", "data-model": args[0] || "",
        "data-range": range}, el("div", {class: "toolbar", id: "history-toolbar"}),
        el("p", {id: "history-meta", class: "muted"}), el("div", {id: "history-body",
          class: "cards"})));
      return {name: args[0], range, charts: new Map()};
    },
    async refresh(s) {
      if (!s.picked) {
        const {picker, names} = await Views.modelPicker("history", s.name);
        s.name = s.name || names[0];
        const rangeSel = el("select", {id: "history-range", "aria-label": "range",
          onchange: e => { location.hash = "#/history/" + enc(s.name || "") + "?range="
            + e.target.value; }}, RANGES.map(r => el("option", {value: r,
              selected: r === s.range}, r)));
        document.getElementById("history-toolbar").replaceChildren(picker,
          el("label", {}, "Range ", rangeSel));
        s.picked = true;
        if (!s.name) return;
        document.getElementById("history").setAttribute("data-model", s.name);
      }
      const d = await get("/api/v1/metrics/history?series=" + HISTORY_SERIES.map(x => x[0])
        .join(",") + "&model=" + enc(s.name) + "&range=" + s.range);
      document.getElementById("history-meta").textContent = "resolution " + d.resolution
        + (d.truncated ? " (truncated)" : "");
      const body = document.getElementById("history-body");
      let total = 0;
      for (const [metric, title] of HISTORY_SERIES) {
        const list = d.series.filter(x => x.metric === metric);
        const points = list.reduce((n, x) => n + x.values.filter(v => v !== null).length, 0);
        total += points;
        let host = s.charts.get(metric);
        if (!host) {
          host = el("div", {class: "card history-chart", "data-metric": metric});
          body.appendChild(host);
          s.charts.set(metric, host);
        }
        host.setAttribute("data-history-points", points);
        if (!list.length) {
          host.replaceChildren(el("h2", {}, title), el("p", {class: "muted"}, "no points"));
          host._plot = null;
          continue;
        }
        if (!host._plot) host.replaceChildren();
        chart(host, title, list.map(x => x.version), align(list),
          {format: metric === "error_rate" ? pct : num});
      }
      document.getElementById("history").setAttribute("data-history-points", total);
    },
  };

  // ---- Technical: process (CPU, memory, GC, threads) and per-transport rates, live.
  const technical = {
    title: "Technical", poll: 2000,
    render(main) {
      main.appendChild(el("section", {id: "technical"}, el("h1", {}, "Process"),
        el("div", {class: "figures", id: "technical-figures"}),
        el("div", {class: "cards", id: "technical-body"})));
      return {hosts: {}};
    },
    async refresh(s) {
      // The live answer always carries the process and transport series; filtered to one
      // model, it leaves out the other models' series (most of the bytes with many models).
      if (s.one === undefined) {
        const o = await get("/api/v1/dashboard/overview");
        s.one = o.models.length ? o.models[0].name : null;
      }
      const d = await get("/api/v1/metrics/live?seconds=" + LIVE_SECONDS
        + (s.one ? "&model=" + enc(s.one) : ""));
      const p = d.process.series;
      document.getElementById("technical-figures").replaceChildren(
        el("div", {class: "figure"}, el("b", {"data-tech-cpu": last(p.cpu_ratio)},
          num(last(p.cpu_ratio))), el("small", {}, "CPU (cores)")),
        el("div", {class: "figure"}, el("b", {"data-tech-rss": last(p.rss_bytes)},
          bytes(last(p.rss_bytes))), el("small", {}, "RSS")),
        el("div", {class: "figure"}, el("b", {"data-tech-heap": last(p.heap_bytes)},
          bytes(last(p.heap_bytes))), el("small", {}, "heap")),
        el("div", {class: "figure"}, el("b", {"data-tech-gc": last(p.gc_seconds_rate)},
          num(last(p.gc_seconds_rate), 4)), el("small", {}, "GC s/s")),
        el("div", {class: "figure"}, el("b", {"data-tech-threads": last(p.threads)},
          num(last(p.threads), 0)), el("small", {}, "threads")));
      const body = document.getElementById("technical-body");
      const host = name => s.hosts[name] || (s.hosts[name] = body.appendChild(
        el("div", {class: "card", "data-chart": name})));
      chart(host("cpu"), "CPU (cores)", ["cpu"], [d.seconds, p.cpu_ratio || []]);
      chart(host("memory"), "memory", ["rss", "heap"], [d.seconds, p.rss_bytes || [],
        p.heap_bytes || []], {format: bytes});
      chart(host("gc"), "GC seconds per second", ["gc"], [d.seconds, p.gc_seconds_rate || []],
        {format: x => num(x, 4)});
      chart(host("threads"), "threads", ["threads"], [d.seconds, p.threads || []]);
      chart(host("transports"), "requests/s by transport", d.transports.map(t => t.transport),
        [d.seconds].concat(d.transports.map(t => t.series.transport_rate || [])));
    },
  };

  return {live, history, technical, align};
})();
