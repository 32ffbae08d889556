// Gradient checker: edit x and e, see dL/dW = e x^T and its centered finite-difference estimate.
"use strict";

(function () {
  const { el, numberInput, matrixTable, problemBox, register } = window.LabModules;

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

  // Entries are checked to lie within ±1000: far beyond the lab's inputs, and small enough that the
  // centered difference (step eps) still agrees with e xᵀ to many digits.
  const RULE = { min: -1000, max: 1000 };
  const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";
  const sub = (n) => String(n).split("").map((c) => SUBSCRIPTS[Number(c)]).join("");

  register("gradient-checker", (container, data, zh) => {
    const x = data.x.slice();
    const e = data.e.slice();
    const out = el("div", { class: "lab-module-output" });
    const t = zh
      ? { title: "梯度检验器", x: "输入 x", e: "误差 e", a: "解析梯度 e xᵀ", n: "有限差分估计", d: "最大绝对差",
          colon: "：" }
      : { title: "Gradient checker", x: "input x", e: "error e", a: "analytic e xᵀ", n: "finite-difference estimate",
          d: "largest absolute gap", colon: ": " };
    const problems = problemBox();
    function render() {
      const errors = problems.messages();
      out.hidden = errors.length > 0;  // results of earlier inputs are never shown as current
      if (errors.length) {
        container.labState = { errors };
        return;
      }
      const result = compute(x, e, data.eps);
      container.labState = { x: x.slice(), e: e.slice(), ...result, errors };
      out.replaceChildren(
        matrixTable(result.analytic, 6, t.a),
        matrixTable(result.numeric, 6, t.n),
        el("p", { class: "lab-module-note", text: `${t.d}${t.colon}${result.maxDiff.toExponential(1)}` }),
      );
    }
    // One fieldset per vector; entry i is "x₁" on screen and "input x₁" / "输入 x₁" to a screen reader.
    const inputs = (values, label, symbol) => el("fieldset", {}, [el("legend", { text: label }),
      ...values.map((v, i) => {
        const name = `${label}${sub(i + 1)}`;
        const input = numberInput(v, { name, rule: RULE, onChange: (parsed, problem) => {
          if (parsed !== null) values[i] = parsed;
          problems.set(name, problem, [input]);
          render();
        } });
        return el("label", { class: "lab-entry" }, [el("span", { text: `${symbol}${sub(i + 1)}` }), input]);
      })]);
    container.append(el("p", { class: "lab-module-title", text: t.title }), inputs(x, t.x, "x"), inputs(e, t.e, "e"),
      problems.box, out);
    render();
  });
})();
