// Convolution calculator: output size (W − F + 2P)/S + 1 with dilation, and receptive-field growth.
"use strict";

(function () {
  const { el, numberInput, register } = window.LabModules;

  function outputSize(w, f, p, s, d) {
    const effective = d * (f - 1) + 1;
    return { effective, out: Math.floor((w - effective + 2 * p) / s) + 1 };
  }

  // r_l = r_{l-1} + (k_l - 1) d_l j_{l-1};  j_l = j_{l-1} s_l
  function receptiveField(stack) {
    let r = 1;
    let j = 1;
    return stack.map(([k, s, d]) => {
      r += (k - 1) * d * j;
      j *= s;
      return { size: r, jump: j };
    });
  }

  // One layer per line, "kernel stride dilation"; anything else on a line makes it invalid.
  function parseStack(text) {
    const layers = [];
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      const parts = line.trim().split(/[\s,]+/).map(Number);
      if (parts.length !== 3 || !parts.every((n) => Number.isInteger(n) && n >= 1)) return null;
      layers.push(parts);
    }
    return layers;
  }

  register("conv-calculator", (container, data, zh) => {
    const [w, f, p, s, d] = data.examples[1];
    const values = { w, f, p, s, d };
    const t = zh
      ? { title: "卷积计算器", out: "输出尺寸", eff: "等效卷积核", stack: "卷积堆叠（每行：卷积核 步幅 膨胀率）",
          rf: "感受野", jump: "跳距", bad: "每行需要三个正整数", layer: "层" }
      : { title: "Convolution calculator", out: "output size", eff: "effective kernel",
          stack: "layer stack (one per line: kernel stride dilation)", rf: "receptive field", jump: "jump",
          bad: "each line needs three positive integers", layer: "layer" };
    const sizeOut = el("p", { class: "lab-module-output" });
    const rfOut = el("div", { class: "lab-module-output" });
    function renderSize() {
      const result = outputSize(values.w, values.f, values.p, values.s, values.d);
      container.labState = { ...(container.labState || {}), size: { ...values, ...result } };
      sizeOut.textContent = `${t.out}: ${result.out} · ${t.eff}: ${result.effective}`;
    }
    const stackInput = el("textarea", { rows: String(data.stack.length), spellcheck: "false" });
    stackInput.value = data.stack.map((layer) => layer.join(" ")).join("\n");
    function renderStack() {
      const stack = parseStack(stackInput.value);
      if (stack === null) {
        rfOut.replaceChildren(el("p", { class: "lab-module-error", text: t.bad }));
        return;
      }
      const fields = receptiveField(stack);
      container.labState = { ...(container.labState || {}), stack, fields };
      rfOut.replaceChildren(el("table", { class: "lab-matrix" }, [
        el("tr", {}, [t.layer, t.rf, t.jump].map((h) => el("th", { text: h }))),
        ...fields.map((row, i) => el("tr", {}, [i + 1, row.size, row.jump].map((v) => el("td", { text: String(v) })))),
      ]));
    }
    stackInput.addEventListener("input", renderStack);
    const field = (name) => el("label", { class: "lab-field" }, [document.createTextNode(`${name === "d" ? "d" : name.toUpperCase()} `),
      numberInput(values[name], (v) => { values[name] = Math.max(name === "p" ? 0 : 1, Math.round(v)); renderSize(); }, "1")]);
    container.append(el("p", { class: "lab-module-title", text: t.title }),
      el("div", { class: "lab-fields" }, ["w", "f", "p", "s", "d"].map(field)), sizeOut,
      el("p", { text: t.stack }), stackInput, rfOut);
    renderSize();
    renderStack();
    container.labCompute = { outputSize, receptiveField };
  });
})();
