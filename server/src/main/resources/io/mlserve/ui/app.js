// mlserve dashboard: hash routing (#/<view>/<model>?query), polling of the visible view only
// (paused while the tab is hidden), and the admin token (sessionStorage; actions appear only
// once it is entered, and go through the same admin REST routes as any client).
"use strict";

const App = (() => {
  const VIEWS = {
    overview: Views.overview, model: Views.model, live: MetricViews.live,
    history: MetricViews.history, experiments: BusinessViews.experiments,
    technical: MetricViews.technical, usage: BusinessViews.usage,
  };
  let current = null; // {name, view, state, generation}
  let generation = 0;
  let timer = null;

  function parse() {
    const h = location.hash.replace(/^#\/?/, "");
    const [path, q] = h.split("?", 2);
    const parts = path.split("/").filter(p => p.length).map(p => {
      try { return decodeURIComponent(p); } catch (e) { return p; }
    });
    const name = VIEWS[parts[0]] ? parts[0] : "overview";
    return {name, args: parts.slice(1), query: new URLSearchParams(q || "")};
  }

  function route() {
    const {name, args, query} = parse();
    const view = VIEWS[name];
    const main = document.getElementById("view");
    main.replaceChildren();
    main.setAttribute("data-view", name);
    document.title = view.title + " · mlserve";
    for (const a of document.querySelectorAll("#nav a")) {
      a.classList.toggle("active", a.getAttribute("data-nav") === name);
    }
    UI.status("");
    const state = view.render(main, args, query);
    current = {name, view, state, generation: ++generation};
    schedule(0);
  }

  /** Runs the current view's refresh now, then again after its poll interval if it polls. */
  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(tick, delay);
  }

  async function tick() {
    if (!current || document.hidden) return; // resumed by visibilitychange
    const c = current;
    const started = performance.now();
    try {
      await c.view.refresh(c.state);
      if (c.generation === generation) UI.status("");
    } catch (e) {
      if (c.generation === generation) UI.status(e.message);
    }
    if (c.generation !== generation) return; // another view took over meanwhile
    const main = document.getElementById("view");
    main.setAttribute("data-refreshed", String(Date.now()));
    main.setAttribute("data-refresh-ms", String(Math.round(performance.now() - started)));
    if (c.view.poll > 0) schedule(c.view.poll);
  }

  function refreshNow() {
    if (current) {
      route(); // re-render: the actions shown depend on the token
    }
  }

  function admin() {
    const form = document.getElementById("admin-form");
    const input = document.getElementById("admin-token");
    const off = document.getElementById("admin-logout");
    const show = () => {
      const on = !!UI.token();
      form.classList.toggle("on", on);
      off.hidden = !on;
      document.body.setAttribute("data-admin", on ? "on" : "off");
    };
    form.addEventListener("submit", e => {
      e.preventDefault();
      if (input.value) UI.setToken(input.value);
      input.value = "";
      show();
      refreshNow();
    });
    off.addEventListener("click", () => { UI.setToken(null); show(); refreshNow(); });
    show();
  }

  function start() {
    admin();
    window.addEventListener("hashchange", route);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) schedule(0);
    });
    route();
  }

  return {start, refreshNow};
})();

App.start();
