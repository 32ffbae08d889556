// Attention heatmap: edit a score, watch its softmax row renormalize; toggle the causal mask.
"use strict";

(function () {
  const { el, numberInput, fmt, register } = window.LabModules;

  function softmaxRows(scores, causal) {
    return scores.map((row, i) => {
      const kept = row.map((s, j) => (causal && j > i ? -Infinity : s));
      const top = Math.max(...kept);
      const exps = kept.map((s) => (s === -Infinity ? 0 : Math.exp(s - top)));
      const total = exps.reduce((a, b) => a + b, 0);
      return exps.map((v) => v / total);
    });
  }

  register("attention-heatmap", (container, data, zh) => {
    const scores = data.scores.map((row) => row.slice());
    let causal = false;
    const t = zh
      ? { title: "注意力热力图", s: "缩放后的分数 S（可编辑）", w: "softmax 权重（每行和为 1）", c: "因果掩码" }
      : { title: "Attention heatmap", s: "scaled scores S (editable)", w: "softmax weights (rows sum to 1)", c: "causal mask" };
    const grid = el("table", { class: "lab-matrix lab-heatmap" }, [el("caption", { text: t.w })]);
    function render() {
      const weights = softmaxRows(scores, causal);
      container.labState = { scores: scores.map((r) => r.slice()), causal, weights };
      grid.replaceChildren(el("caption", { text: t.w }), ...weights.map((row) => el("tr", {}, row.map((w) => {
        const cell = el("td", { text: fmt(w, 4) });
        cell.style.background = `rgba(63, 81, 181, ${0.08 + 0.8 * w})`;
        cell.style.color = w > 0.55 ? "#fff" : "inherit";
        return cell;
      }))));
    }
    const editor = el("table", { class: "lab-matrix" }, [el("caption", { text: t.s }),
      ...scores.map((row, i) => el("tr", {}, row.map((s, j) => el("td", {}, [
        numberInput(s, (parsed) => { scores[i][j] = parsed; render(); }, "0.1")]))))]);
    const toggle = el("input", { type: "checkbox" });
    toggle.addEventListener("change", () => { causal = toggle.checked; render(); });
    container.append(el("p", { class: "lab-module-title", text: t.title }), editor,
      el("label", { class: "lab-toggle" }, [toggle, document.createTextNode(` ${t.c}`)]), grid);
    render();
  });
})();
