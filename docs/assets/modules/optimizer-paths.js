// Optimizer paths: gradient descent, heavy-ball momentum and Adam on f = 1/2 θᵀAθ, with sliders.
"use strict";

(function () {
  const { el, svg, fmt, register } = window.LabModules;

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

  const STYLE = { gd: ["#3f51b5", ""], momentum: ["#e65100", "6 3"], adam: ["#2e7d32", "2 3"] };

  function draw(plot, data, found) {
    const size = 320;
    const span = 1.25 * Math.max(Math.abs(data.theta0[0]), Math.abs(data.theta0[1]));
    const px = (v) => ((v + span) / (2 * span)) * size;
    const py = (v) => size - ((v + span) / (2 * span)) * size;
    plot.replaceChildren();
    const f0 = loss(data.A, data.theta0);
    for (const level of [0.02, 0.1, 0.3, 0.6, 1.0, 1.6]) {  // contour lines of f, as fractions of f(θ0)
      const points = [];
      for (let a = 0; a <= 2 * Math.PI + 1e-9; a += Math.PI / 60) {
        const u = [Math.cos(a), Math.sin(a)];
        const r = Math.sqrt((level * f0) / loss(data.A, u));
        points.push(`${px(r * u[0])},${py(r * u[1])}`);
      }
      plot.append(svg("polyline", { points: points.join(" "), fill: "none", stroke: "#9e9e9e", "stroke-width": "0.7" }));
    }
    for (const [name, path] of Object.entries(found)) {
      const clipped = path.filter((p) => Math.abs(p[0]) < 4 * span && Math.abs(p[1]) < 4 * span);
      plot.append(svg("polyline", {
        points: clipped.map((p) => `${px(p[0])},${py(p[1])}`).join(" "), fill: "none",
        stroke: STYLE[name][0], "stroke-width": "1.6", "stroke-dasharray": STYLE[name][1], class: `path-${name}`,
      }));
    }
  }

  register("optimizer-paths", (container, data, zh) => {
    const params = { lr: data.lr_gd, beta: data.beta, lrAdam: data.lr_adam };
    const t = zh
      ? { title: "优化器路径", lr: "学习率 η（GD 与动量）", beta: "动量 β", adam: "Adam 学习率", loss: "最终损失",
          names: { gd: "梯度下降", momentum: "动量", adam: "Adam" } }
      : { title: "Optimizer paths", lr: "learning rate η (GD and momentum)", beta: "momentum β", adam: "Adam learning rate",
          loss: "final loss", names: { gd: "gradient descent", momentum: "momentum", adam: "Adam" } };
    const plot = svg("svg", { viewBox: "0 0 320 320", class: "lab-plot", role: "img" });
    const legend = el("ul", { class: "lab-legend" });
    function render() {
      const found = paths(data, params);
      container.labState = { params: { ...params }, paths: found };
      draw(plot, data, found);
      legend.replaceChildren(...Object.entries(found).map(([name, path]) => {
        const item = el("li", { text: `${t.names[name]} — ${t.loss} ${loss(data.A, path[path.length - 1]).toExponential(2)}` });
        item.style.color = STYLE[name][0];
        return item;
      }));
    }
    function slider(label, key, min, max, step) {
      const output = el("output", { text: fmt(params[key], 3) });
      const input = el("input", { type: "range", min: String(min), max: String(max), step: String(step), value: String(params[key]) });
      input.addEventListener("input", () => {
        params[key] = Number.parseFloat(input.value);
        output.textContent = fmt(params[key], 3);
        render();
      });
      return el("label", { class: "lab-slider" }, [document.createTextNode(`${label} `), input, output]);
    }
    container.append(el("p", { class: "lab-module-title", text: t.title }),
      slider(t.lr, "lr", 0.01, 0.21, 0.001), slider(t.beta, "beta", 0, 0.95, 0.01),
      slider(t.adam, "lrAdam", 0.01, 1, 0.01), plot, legend);
    render();
  });
})();
