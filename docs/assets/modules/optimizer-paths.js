// Optimizer paths: gradient descent, heavy-ball momentum and Adam on f = 1/2 θᵀAθ, with sliders.
"use strict";

(function () {
  const { el, svg, uid, fmt, bound, register } = window.LabModules;

  const matVec = (A, v) => [A[0][0] * v[0] + A[0][1] * v[1], A[1][0] * v[0] + A[1][1] * v[1]];
  const loss = (A, t) => 0.5 * (t[0] * matVec(A, t)[0] + t[1] * matVec(A, t)[1]);

  // The same update rules as lab/optim.py, step for step.
  function gd(A, theta0, lr, steps) {
    const path = [theta0.slice()];
    let t = theta0.slice();
    for (let k = 0; k < steps; k++) {
      const g = matVec(A, t);
      t = [t[0] - lr * g[0], t[1] - lr * g[1]];
      path.push(t);
    }
    return path;
  }

  function momentum(A, theta0, lr, beta, steps) {
    const path = [theta0.slice()];
    let t = theta0.slice();
    let v = [0, 0];
    for (let k = 0; k < steps; k++) {
      const g = matVec(A, t);
      v = [beta * v[0] - lr * g[0], beta * v[1] - lr * g[1]];
      t = [t[0] + v[0], t[1] + v[1]];
      path.push(t);
    }
    return path;
  }

  function adam(A, theta0, lr, b1, b2, eps, steps) {
    const path = [theta0.slice()];
    let t = theta0.slice();
    let m = [0, 0];
    let s = [0, 0];
    for (let k = 1; k <= steps; k++) {
      const g = matVec(A, t);
      m = [b1 * m[0] + (1 - b1) * g[0], b1 * m[1] + (1 - b1) * g[1]];
      s = [b2 * s[0] + (1 - b2) * g[0] * g[0], b2 * s[1] + (1 - b2) * g[1] * g[1]];
      const mHat = m.map((v) => v / (1 - b1 ** k));
      const sHat = s.map((v) => v / (1 - b2 ** k));
      t = [t[0] - lr * mHat[0] / (Math.sqrt(sHat[0]) + eps), t[1] - lr * mHat[1] / (Math.sqrt(sHat[1]) + eps)];
      path.push(t);
    }
    return path;
  }

  function paths(data, params) {
    return {
      gd: gd(data.A, data.theta0, params.lr, data.steps),
      momentum: momentum(data.A, data.theta0, params.lr, params.beta, data.steps),
      adam: adam(data.A, data.theta0, params.lrAdam, data.beta1, data.beta2, data.adam_eps, data.steps),
    };
  }

  // Line styles and markers as Matplotlib names them in lab/figures/optim.py STYLES, whose colours,
  // styles and markers reach the module through its data: the figure and the module share them.
  const DASHES = { "-": "", "--": "6 3", ":": "1.5 2.5" };
  const MARKS = {
    o: () => svg("circle", { cx: "5", cy: "5", r: "4" }),
    s: () => svg("rect", { x: "1", y: "1", width: "8", height: "8" }),
    "^": () => svg("path", { d: "M5 0.5 L9.6 9 L0.4 9 Z" }),
  };

  function marker(id, style) {
    return svg("marker", { id, viewBox: "0 0 10 10", refX: "5", refY: "5", markerWidth: "5", markerHeight: "5",
                           markerUnits: "userSpaceOnUse", fill: style.color }, [MARKS[style.marker]()]);
  }

  // A tick every 1, 2 or 5 times a power of ten, about five across the span.
  function tickStep(span) {
    const raw = (2 * span) / 5;
    const power = 10 ** Math.floor(Math.log10(raw));
    return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw);
  }

  function star(cx, cy, outer, inner) {
    const points = [];
    for (let k = 0; k < 10; k++) {
      const r = k % 2 ? inner : outer;
      const a = -Math.PI / 2 + (k * Math.PI) / 5;
      points.push(`${cx + r * Math.cos(a)},${cy + r * Math.sin(a)}`);
    }
    return svg("polygon", { points: points.join(" "), fill: "currentColor", class: "lab-optimum" });
  }

  const BOX = { left: 52, top: 10, size: 280 };  // the plot area, square: both axes have one scale

  function draw(plot, data, found, ids) {
    const span = 1.25 * Math.max(Math.abs(data.theta0[0]), Math.abs(data.theta0[1]));
    const { left, top, size } = BOX;
    const px = (v) => left + ((v + span) / (2 * span)) * size;
    const py = (v) => top + size - ((v + span) / (2 * span)) * size;
    const inside = svg("g", { "clip-path": `url(#${ids.clip})` });
    const f0 = loss(data.A, data.theta0);
    for (const level of [0.02, 0.1, 0.3, 0.6, 1.0, 1.6]) {  // contour lines of f, as fractions of f(θ0)
      const points = [];
      for (let a = 0; a <= 2 * Math.PI + 1e-9; a += Math.PI / 60) {
        const u = [Math.cos(a), Math.sin(a)];
        const r = Math.sqrt((level * f0) / loss(data.A, u));
        points.push(`${px(r * u[0])},${py(r * u[1])}`);
      }
      inside.append(svg("polyline", { points: points.join(" "), class: "lab-contour", fill: "none",
                                       stroke: "currentColor", "stroke-opacity": "0.35", "stroke-width": "0.8" }));
    }
    for (const [name, path] of Object.entries(found)) {
      const style = data.styles[name];
      const shown = [];  // a diverging path is drawn until it is far outside the picture
      for (const p of path) {
        if (Math.abs(p[0]) > 4 * span || Math.abs(p[1]) > 4 * span) break;
        shown.push(p);
      }
      const ref = `url(#${ids[name]})`;
      inside.append(svg("polyline", {
        points: shown.map((p) => `${px(p[0])},${py(p[1])}`).join(" "), fill: "none", stroke: style.color,
        "stroke-width": "1.6", "stroke-dasharray": DASHES[style.linestyle], class: `path-${name}`,
        "marker-start": ref, "marker-mid": ref, "marker-end": ref,
      }));
    }
    const axes = svg("g", { class: "lab-axes", stroke: "currentColor", "stroke-opacity": "0.7", fill: "none" }, [
      svg("rect", { x: String(left), y: String(top), width: String(size), height: String(size) })]);
    const labels = svg("g", { fill: "currentColor", "font-size": "11" });
    const step = tickStep(span);
    for (let v = Math.ceil(-span / step) * step; v <= span + 1e-9; v += step) {
      const tick = Number(v.toPrecision(12));
      axes.append(svg("line", { x1: px(tick), x2: px(tick), y1: top + size, y2: top + size + 4, class: "lab-tick-x" }),
                  svg("line", { x1: left - 4, x2: left, y1: py(tick), y2: py(tick), class: "lab-tick-y" }));
      labels.append(svg("text", { x: px(tick), y: top + size + 16, "text-anchor": "middle", text: bound(tick) }),
                    svg("text", { x: left - 7, y: py(tick) + 4, "text-anchor": "end", text: bound(tick) }));
    }
    labels.append(
      svg("text", { x: left + size / 2, y: top + size + 34, "text-anchor": "middle", "font-size": "14", class: "lab-axis-label", text: "θ₁" }),
      svg("text", { x: 12, y: top + size / 2 + 5, "text-anchor": "middle", "font-size": "14", class: "lab-axis-label", text: "θ₂" }),
      svg("text", { x: px(data.theta0[0]), y: py(data.theta0[1]) - 10, "text-anchor": "middle", "font-size": "14", text: "θ₀" }),
      svg("text", { x: px(0) - 14, y: py(0) + 20, "text-anchor": "middle", "font-size": "14", text: "θ*" }));
    plot.replaceChildren(
      svg("defs", {}, [svg("clipPath", { id: ids.clip }, [svg("rect", { x: String(left), y: String(top), width: String(size), height: String(size) })]),
                       ...Object.keys(found).map((name) => marker(ids[name], data.styles[name]))]),
      inside, axes, labels,
      svg("circle", { cx: px(data.theta0[0]), cy: py(data.theta0[1]), r: "4.5", fill: "currentColor", class: "lab-start" }),
      star(px(0), py(0), 7.5, 3));
  }

  // The legend's sample of a method: its line, dashes and marker in its colour.
  function swatch(name, style) {
    const id = uid(`lab-swatch-${name}`);
    return svg("svg", { viewBox: "0 0 34 10", width: "34", height: "10", "aria-hidden": "true", class: "lab-swatch" }, [
      svg("defs", {}, [marker(id, style)]),
      svg("polyline", { points: "2,5 17,5 32,5", fill: "none", stroke: style.color, "stroke-width": "1.6",
                        "stroke-dasharray": DASHES[style.linestyle], "marker-mid": `url(#${id})` })]);
  }

  register("optimizer-paths", (container, data, zh) => {
    const params = { lr: data.lr_gd, beta: data.beta, lrAdam: data.lr_adam };
    const t = zh
      ? { title: "优化器路径", lr: "学习率 η（GD 与动量）", beta: "动量 β", adam: "Adam 学习率",
          final: (name, value) => `${name}（最终损失 ${value}）`,
          names: { gd: "梯度下降", momentum: "动量", adam: "Adam" },
          plot: "f 的等高线，以及梯度下降（实线加圆点）、动量（虚线加方块）和 Adam（点线加三角）从起点 θ₀（圆点）"
            + "走向最优点 θ*（星号）的路径；横轴为 θ₁，纵轴为 θ₂。" }
      : { title: "Optimizer paths", lr: "learning rate η (GD and momentum)", beta: "momentum β", adam: "Adam learning rate",
          final: (name, value) => `${name} — final loss ${value}`,
          names: { gd: "gradient descent", momentum: "momentum", adam: "Adam" },
          plot: "Contour lines of f with the paths of gradient descent (solid line, circles), momentum (dashed line, squares)"
            + " and Adam (dotted line, triangles) from the start θ₀ (dot) to the optimum θ* (star); horizontal axis θ₁,"
            + " vertical axis θ₂." };
    const ids = { clip: uid("lab-plot-clip"), gd: uid("lab-mark-gd"), momentum: uid("lab-mark-momentum"),
                  adam: uid("lab-mark-adam") };
    const plot = svg("svg", { viewBox: "0 0 340 336", class: "lab-plot", role: "img", "aria-label": t.plot });
    const legend = el("ul", { class: "lab-legend" });
    function render() {
      const found = paths(data, params);
      container.labState = { params: { ...params }, paths: found };
      draw(plot, data, found, ids);
      legend.replaceChildren(...Object.entries(found).map(([name, path]) => el("li", {}, [
        swatch(name, data.styles[name]), ` ${t.final(t.names[name], loss(data.A, path[path.length - 1]).toExponential(2))}`])));
    }
    function slider(label, key, min, max, step) {
      const id = uid(`lab-slider-${key}`);
      const output = el("output", { for: id, text: fmt(params[key], 3) });
      const input = el("input", { id, type: "range", min: String(min), max: String(max), step: String(step), value: String(params[key]) });
      input.addEventListener("input", () => {
        params[key] = Number.parseFloat(input.value);
        output.textContent = fmt(params[key], 3);
        render();
      });
      return el("div", { class: "lab-slider" }, [el("label", { for: id, text: label }), " ", input, " ", output]);
    }
    container.append(el("p", { class: "lab-module-title", text: t.title }),
      slider(t.lr, "lr", 0.01, 0.21, 0.001), slider(t.beta, "beta", 0, 0.95, 0.01),
      slider(t.adam, "lrAdam", 0.01, 1, 0.01), plot, legend);
    render();
  });
})();
