// The explorer page's script: steps through the model (the JSON written by explore.py)
// over the inline SVG drawing. No library, no request: the page works from a file.
"use strict";
(function () {
  const model = JSON.parse(document.getElementById("model").textContent);
  const steps = model.steps;
  const last = steps.length - 1;
  const $ = (id) => document.getElementById(id);
  const svg = document.querySelector("#graph svg");

  // Each tensor's data row and grad row: the last fields of its record.
  const rows = {};
  for (const [node, info] of Object.entries(model.tensors)) {
    const g = $(node);
    if (!g) continue;
    const texts = g.querySelectorAll("text");
    const grad = info.grad ? texts[texts.length - 1] : null;
    const data = texts[texts.length - (info.grad ? 2 : 1)];
    if (grad) grad.classList.add("grad");
    data.classList.add("data");
    rows[node] = { g, data, grad };
  }

  // ---- layers: clusters that open and close ----------------------------------------------
  const hidden = new Set();
  const collapsed = new Set();
  const edges = [...svg.querySelectorAll("g.edge")].map((g) => {
    const m = /^e_((?:op|t)\d+)_((?:op|t)\d+)/.exec(g.id);
    return { g, tail: m ? "n_" + m[1] : null, head: m ? "n_" + m[2] : null };
  });

  function applyLayers() {
    hidden.clear();
    for (const cid of collapsed) for (const node of model.clusters[cid].nodes) hidden.add(node);
    for (const g of svg.querySelectorAll("g.node")) g.classList.toggle("folded", hidden.has(g.id));
    for (const e of edges) e.g.classList.toggle("folded", hidden.has(e.tail) && hidden.has(e.head));
    for (const [cid, info] of Object.entries(model.clusters)) {
      const g = $(cid);
      const closed = collapsed.has(cid);
      if (g) {
        g.classList.toggle("collapsed", closed);
        const label = g.querySelector("text");
        if (label) {
          label.textContent = closed
            ? `\u25b8 ${info.name} (${info.nodes.length} nodes folded: click to open)`
            : info.name;
        }
      }
      const button = $("layer-" + cid);
      if (button) {
        button.textContent = (closed ? "\u25b8 " : "\u25be ") + info.name;
        button.setAttribute("aria-pressed", String(!closed));
      }
    }
  }

  function toggleLayer(cid) {
    if (collapsed.has(cid)) collapsed.delete(cid);
    else collapsed.add(cid);
    applyLayers();
    render();
  }

  const layerIds = Object.keys(model.clusters);
  if (layerIds.length) {
    const bar = $("layers");
    bar.append("Layers: ");
    for (const cid of layerIds) {
      const button = document.createElement("button");
      button.id = "layer-" + cid;
      button.className = "layer";
      button.title = "open or close this layer's box";
      button.addEventListener("click", () => toggleLayer(cid));
      bar.append(button);
      const g = $(cid);
      if (g) g.addEventListener("click", () => toggleLayer(cid));
    }
    const all = document.createElement("button");
    all.textContent = "close all";
    all.id = "layers-toggle";
    all.addEventListener("click", () => {
      const closing = collapsed.size < layerIds.length;
      collapsed.clear();
      if (closing) for (const cid of layerIds) collapsed.add(cid);
      all.textContent = closing ? "open all" : "close all";
      applyLayers();
      render();
    });
    bar.append(all);
  }

  // ---- stepping ------------------------------------------------------------------------
  let current = 0;
  let timer = null;

  function clusterOf(node) {
    for (const cid of collapsed) if (model.clusters[cid].nodes.includes(node)) return $(cid);
    return null;
  }

  function mark(node, cls) {
    if (!node) return null;
    const target = hidden.has(node) ? clusterOf(node) : $(node);
    if (target) target.classList.add(cls);
    return target;
  }

  function render() {
    const step = steps[current];
    // What steps 0..current have shown: values (forward) and gradients (backward).
    const shown = new Set();
    const grads = {};
    for (let i = 0; i <= current; i++) {
      for (const node of steps[i].show || []) shown.add(node);
      Object.assign(grads, steps[i].grads || {});
    }
    const backward = step.phase === "backward";
    for (const [node, row] of Object.entries(rows)) {
      row.data.classList.toggle("unknown", !(backward || shown.has(node)));
      if (!row.grad) continue;
      const flash = step.flash && step.flash[node];
      const text = flash || grads[node];
      row.grad.textContent = text === undefined ? "" : "grad " + text;
      row.grad.classList.toggle("flash", Boolean(flash));
      row.grad.dataset.shown = text === undefined ? "" : grads[node];
    }
    for (const cls of ["active", "arriving", "receiving"]) {
      for (const el of document.querySelectorAll("." + cls)) el.classList.remove(cls);
    }
    const focus = mark(step.op, "active") || mark(step.out, "arriving");
    if (step.op) mark(step.out, "arriving");
    for (const node of step.receivers || []) mark(node, "receiving");
    if (focus && focus.scrollIntoView) focus.scrollIntoView({ block: "center", inline: "center" });

    $("title").textContent = step.title;
    fill($("text"), "p", step.text);
    $("rule").textContent = step.rule ? "Rule: " + step.rule : "";
    fill($("numbers"), "div", step.numbers);
    fill($("sends"), "li", step.sends);
    $("counter").textContent = `step ${current} of ${last}`;
    $("slider").value = String(current);
    $("prev").disabled = current === 0;
    $("next").disabled = current === last;
    document.body.dataset.step = String(current);
  }

  function fill(parent, tag, lines) {
    parent.replaceChildren(
      ...(lines || []).map((line) => {
        const el = document.createElement(tag);
        el.textContent = line;
        return el;
      }),
    );
  }

  function go(index) {
    if (index < 0) index = last + 1 + index;
    current = Math.max(0, Math.min(last, index));
    render();
    return current;
  }

  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    $("play").textContent = "Play";
  }

  function play() {
    if (timer !== null) return stop();
    if (current === last) go(0);
    $("play").textContent = "Pause";
    timer = setInterval(() => {
      go(current + 1);
      if (current === last) stop();
    }, 900);
  }

  $("reset").addEventListener("click", () => { stop(); go(0); });
  $("prev").addEventListener("click", () => { stop(); go(current - 1); });
  $("next").addEventListener("click", () => { stop(); go(current + 1); });
  $("play").addEventListener("click", play);
  const slider = $("slider");
  slider.max = String(last);
  slider.addEventListener("input", () => { stop(); go(Number(slider.value)); });
  document.addEventListener("keydown", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.type === "range") return;
    const moves = { ArrowRight: current + 1, ArrowDown: current + 1, ArrowLeft: current - 1,
                    ArrowUp: current - 1, Home: 0, End: last };
    if (!(event.key in moves)) return;
    event.preventDefault();
    stop();
    go(moves[event.key]);
  });

  // ---- zoom ----------------------------------------------------------------------------
  const box = svg.viewBox.baseVal;
  // Fit the width when that keeps the text readable; a larger graph scrolls.
  const natural = (box.width * 4) / 3;
  let zoom = Math.max(0.5, Math.min(1, ($("graph").clientWidth - 20) / natural));
  function applyZoom() {
    svg.setAttribute("width", String(box.width * zoom * 4 / 3));
    svg.setAttribute("height", String(box.height * zoom * 4 / 3));
  }
  $("zoom-in").addEventListener("click", () => { zoom = Math.min(4, zoom * 1.25); applyZoom(); });
  $("zoom-out").addEventListener("click", () => { zoom = Math.max(0.1, zoom / 1.25); applyZoom(); });
  applyZoom();

  applyLayers();
  go(0);
  window.explorer = { ready: true, go, count: steps.length, step: () => current, model };
})();
