// Gradient checker: edit x and e, see dL/dW = e x^T and its centered finite-difference estimate.
"use strict";

(function () {
  const { el, numberInput, matrixTable, fmt, register } = window.LabModules;

  // L(W) = 1/2 || (W - W0) x + e ||^2 has gradient e x^T at W = W0; W0 = 0 here.
  function loss(W, x, e) {
    let total = 0;
    for (let i = 0; i < e.length; i++) {
      let r = e[i];
      for (let k = 0; k < x.length; k++) r += W[i][k] * x[k];
      total += 0.5 * r * r;
    }
    return total;
  }

  function compute(x, e, eps) {
    const analytic = e.map((ei) => x.map((xk) => ei * xk));
    const W = e.map(() => x.map(() => 0));
    const numeric = e.map((_, i) => x.map((_, k) => {
      W[i][k] = eps;
      const plus = loss(W, x, e);
      W[i][k] = -eps;
      const minus = loss(W, x, e);
      W[i][k] = 0;
      return (plus - minus) / (2 * eps);
    }));
    let maxDiff = 0;
    analytic.forEach((row, i) => row.forEach((a, k) => { maxDiff = Math.max(maxDiff, Math.abs(a - numeric[i][k])); }));
    return { analytic, numeric, maxDiff };
  }

  register("gradient-checker", (container, data, zh) => {
    const x = data.x.slice();
    const e = data.e.slice();
    const out = el("div", { class: "lab-module-output" });
    const t = zh
      ? { title: "梯度检验器", x: "输入 x", e: "误差 e", a: "解析梯度 e xᵀ", n: "有限差分估计", d: "最大绝对差" }
      : { title: "Gradient checker", x: "input x", e: "error e", a: "analytic e xᵀ", n: "finite-difference estimate", d: "largest absolute gap" };
    function render() {
      const result = compute(x, e, data.eps);
      container.labState = { x: x.slice(), e: e.slice(), ...result };
      out.replaceChildren(
        matrixTable(result.analytic, 6, t.a),
        matrixTable(result.numeric, 6, t.n),
        el("p", { class: "lab-module-note", text: `${t.d}: ${result.maxDiff.toExponential(1)}` }),
      );
    }
    const inputs = (values, label) => el("fieldset", {}, [el("legend", { text: label }),
      ...values.map((v, i) => numberInput(v, (parsed) => { values[i] = parsed; render(); }))]);
    container.append(el("p", { class: "lab-module-title", text: t.title }), inputs(x, t.x), inputs(e, t.e), out);
    render();
  });
})();
