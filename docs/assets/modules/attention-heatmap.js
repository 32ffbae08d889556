// Attention heatmap: edit a score, watch its softmax row renormalize; toggle the causal mask.
"use strict";

(function () {
  const { el, numberInput, problemBox, readableText, onPalette, fmt, register } = window.LabModules;

  function softmaxRows(scores, causal) {
    return scores.map((row, i) => {
      const kept = row.map((s, j) => (causal && j > i ? -Infinity : s));
      const top = Math.max(...kept);
      const exps = kept.map((s) => (s === -Infinity ? 0 : Math.exp(s - top)));
      const total = exps.reduce((a, b) => a + b, 0);
      return exps.map((v) => v / total);
    });
  }

  // Scores are checked to lie within ±1000: any finite score works (softmax subtracts the row's
  // largest), and this bound is far past the point where a row's weights are all 0 or 1.
  const RULE = { min: -1000, max: 1000 };

  register("attention-heatmap", (container, data, zh) => {
    const scores = data.scores.map((row) => row.slice());
    let causal = false;
    const t = zh
      ? { title: "注意力热力图", s: "缩放后的分数 S（可编辑）", w: "softmax 权重（每行和为 1）", c: "因果掩码",
          score: "分数", query: "查询", key: "键" }
      : { title: "Attention heatmap", s: "scaled scores S (editable)", w: "softmax weights (rows sum to 1)",
          c: "causal mask", score: "score", query: "query", key: "key" };
    const problems = problemBox();
    const header = () => el("tr", {}, [el("td"), ...scores[0].map((_, j) => el("th", { scope: "col", text: `${t.key} ${j + 1}` }))]);
    const grid = el("table", { class: "lab-matrix lab-heatmap" });
    // Each cell's text is black or white, whichever stands out more from the cell as painted: the
    // cell colour is translucent, so that depends on the palette.
    function colourText() {
      for (const cell of grid.querySelectorAll("td[data-weight]")) cell.style.color = readableText(cell);
    }
    function render() {
      const errors = problems.messages();
      grid.hidden = errors.length > 0;  // weights of earlier scores are never shown as current
      if (errors.length) {
        container.labState = { errors, causal };
        return;
      }
      const weights = softmaxRows(scores, causal);
      container.labState = { scores: scores.map((r) => r.slice()), causal, weights, errors };
      grid.replaceChildren(el("caption", { text: t.w }), header(), ...weights.map((row, i) => el("tr", {}, [
        el("th", { scope: "row", text: `${t.query} ${i + 1}` }),
        ...row.map((w) => {
          const cell = el("td", { text: fmt(w, 4), "data-weight": String(w) });
          cell.style.background = `rgba(63, 81, 181, ${0.08 + 0.8 * w})`;
          return cell;
        })])));
      colourText();
    }
    // Cell (i, j) is "S[i, j]" counted from 1, as the article counts queries and keys.
    const editor = el("table", { class: "lab-matrix lab-score-editor" }, [el("caption", { text: t.s }), header(),
      ...scores.map((row, i) => el("tr", {}, [el("th", { scope: "row", text: `${t.query} ${i + 1}` }),
        ...row.map((s, j) => {
          const name = `${t.score} S[${i + 1}, ${j + 1}]`;
          const input = numberInput(s, { name, rule: RULE, step: "0.1", onChange: (parsed, problem) => {
            if (parsed !== null) scores[i][j] = parsed;
            problems.set(name, problem, [input]);
            render();
          } });
          return el("td", {}, [input]);
        })]))]);
    const toggle = el("input", { type: "checkbox" });
    toggle.addEventListener("change", () => { causal = toggle.checked; render(); });
    container.append(el("p", { class: "lab-module-title", text: t.title }), editor, problems.box,
      el("label", { class: "lab-toggle" }, [toggle, document.createTextNode(` ${t.c}`)]), grid);
    render();
    onPalette(colourText);
  });
})();
