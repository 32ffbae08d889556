// Convolution calculator: output size (W − F + 2P)/S + 1 with dilation, and receptive-field growth.
"use strict";

(function () {
  const { el, uid, numberInput, problemBox, register } = window.LabModules;

  function outputSize(w, f, p, s, d) {
    const effective = d * (f - 1) + 1;
    return { effective, out: Math.floor((w - effective + 2 * p) / s) + 1 };
  }

  // r_l = r_{l-1} + (k_l - 1) d_l j_{l-1};  j_l = j_{l-1} s_l
  // In whole-number arithmetic (BigInt): a deep stack of wide strides passes 2^53, where doubles
  // would print rounded integers. Exact values beyond that are kept as decimal strings.
  const exact = (n) => (n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString());
  function receptiveField(stack) {
    let r = 1n;
    let j = 1n;
    return stack.map(([k, s, d]) => {
      r += BigInt(k - 1) * BigInt(d) * j;
      j *= BigInt(s);
      return { size: exact(r), jump: exact(j) };
    });
  }

  // Sizes are whole numbers up to 4096 (a large image side); only padding may be 0.
  const MAX = 4096;
  const RULES = { w: { min: 1, max: MAX, integer: true }, f: { min: 1, max: MAX, integer: true },
                  p: { min: 0, max: MAX, integer: true }, s: { min: 1, max: MAX, integer: true },
                  d: { min: 1, max: MAX, integer: true } };

  // One layer per line, "kernel stride dilation". The answer is the layers, or the number (from 1)
  // of the first line that is not three whole numbers from 1 to MAX, or 0 when there is no layer.
  function parseStack(text) {
    const layers = [];
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (!line) continue;
      const words = line.split(/[\s,]+/);  // digits only: 0x3, 3e0, 3.0 and +3 are not written whole numbers
      const parts = words.map(Number);
      if (parts.length !== 3 || !words.every((word) => /^[0-9]+$/.test(word))
          || !parts.every((n) => n >= 1 && n <= MAX)) return { bad: i + 1 };
      layers.push(parts);
    }
    return layers.length ? { layers } : { bad: 0 };
  }

  register("conv-calculator", (container, data, zh) => {
    const [w, f, p, s, d] = data.examples[1];
    const values = { w, f, p, s, d };
    const t = zh
      ? { title: "卷积计算器", out: "输出尺寸", eff: "等效卷积核", stack: "卷积堆叠（每行一层：卷积核大小 步幅 膨胀率）",
          rf: "感受野", jump: "跳距", layer: "层", colon: "：",
          names: { w: "输入宽度 W", f: "卷积核大小 F", p: "填充 P", s: "步幅 S", d: "膨胀率 d" },
          badLine: (n) => `卷积堆叠第 ${n} 行需要三个 1 到 ${MAX} 之间的整数（卷积核大小、步幅、膨胀率），用空格分开。`,
          empty: "卷积堆叠为空：每行写一层（卷积核大小、步幅、膨胀率）。",
          wide: (v, eff) => `卷积核大小 F = ${v.f}、膨胀率 d = ${v.d} 时，等效卷积核宽 ${eff}，超过了填充后的输入宽度`
            + ` W\u00a0+\u00a02P\u00a0=\u00a0${v.w + 2 * v.p}，没有输出。请减小 F 或 d，或增大 W 或 P。` }
      : { title: "Convolution calculator", out: "output size", eff: "effective kernel",
          stack: "layer stack (one layer per line: kernel size, stride, dilation)", rf: "receptive field", jump: "jump",
          layer: "layer", colon: ": ",
          names: { w: "input width W", f: "kernel size F", p: "padding P", s: "stride S", d: "dilation d" },
          badLine: (n) => `layer stack, line ${n}: write three whole numbers from 1 to ${MAX} (kernel size, stride, dilation), separated by spaces.`,
          empty: "the layer stack is empty: write one layer per line (kernel size, stride, dilation).",
          wide: (v, eff) => `kernel size F = ${v.f} with dilation d = ${v.d} spans ${eff} positions, more than the padded`
            + ` input W\u00a0+\u00a02P\u00a0=\u00a0${v.w + 2 * v.p}, so there is no output; make F or d smaller, or W or P larger.` };
    const sizeProblems = problemBox();
    const stackProblems = problemBox();
    const sizeOut = el("p", { class: "lab-module-output" });
    const rfOut = el("div", { class: "lab-module-output" });
    const inputs = {};
    const bad = {};
    function renderSize() {
      // A kernel wider than the padded input has no valid position: an error, never a clamped size.
      const effective = values.d * (values.f - 1) + 1;
      const fits = Object.values(bad).some(Boolean) || effective <= values.w + 2 * values.p;
      // every field the message names is marked: the width, the padding, the kernel and its dilation
      sizeProblems.set("wide", fits ? null : t.wide(values, effective), [inputs.w, inputs.p, inputs.f, inputs.d]);
      const errors = sizeProblems.messages();
      sizeOut.hidden = errors.length > 0;  // the size of earlier inputs is never shown as current
      if (errors.length) {
        container.labState = { ...(container.labState || {}), size: null, sizeErrors: errors };
        return;
      }
      const result = outputSize(values.w, values.f, values.p, values.s, values.d);
      container.labState = { ...(container.labState || {}), size: { ...values, ...result }, sizeErrors: errors };
      sizeOut.textContent = `${t.out}${t.colon}${result.out} · ${t.eff}${t.colon}${result.effective}`;
    }
    const stackId = uid("lab-stack");
    const stackInput = el("textarea", { id: stackId, rows: String(data.stack.length), spellcheck: "false" });
    stackInput.value = data.stack.map((layer) => layer.join(" ")).join("\n");
    function renderStack() {
      const parsed = parseStack(stackInput.value);
      const message = parsed.layers ? null : parsed.bad ? t.badLine(parsed.bad) : t.empty;
      stackProblems.set("stack", message, [stackInput]);
      rfOut.hidden = message !== null;  // nor the receptive fields of an earlier stack
      if (message) {
        container.labState = { ...(container.labState || {}), stack: null, fields: null, stackErrors: [message] };
        return;
      }
      const fields = receptiveField(parsed.layers);
      container.labState = { ...(container.labState || {}), stack: parsed.layers, fields, stackErrors: [] };
      rfOut.replaceChildren(el("table", { class: "lab-matrix" }, [
        el("tr", {}, [t.layer, t.rf, t.jump].map((h) => el("th", { text: h }))),
        ...fields.map((row, i) => el("tr", {}, [i + 1, row.size, row.jump].map((v) => el("td", { text: String(v) })))),
      ]));
    }
    stackInput.addEventListener("input", renderStack);
    const field = (key) => {
      inputs[key] = numberInput(values[key], { name: t.names[key], rule: RULES[key], step: "1", onChange: (v, problem) => {
        if (v !== null) values[key] = v;
        bad[key] = problem !== null;
        sizeProblems.set(key, problem, [inputs[key]]);
        renderSize();
      } });
      return el("label", { class: "lab-field" }, [el("span", { text: t.names[key] }), inputs[key]]);
    };
    container.append(el("p", { class: "lab-module-title", text: t.title }),
      el("div", { class: "lab-fields" }, ["w", "f", "p", "s", "d"].map(field)), sizeProblems.box, sizeOut,
      el("label", { for: stackId, class: "lab-stack-label", text: t.stack }), stackInput, stackProblems.box, rfOut);
    renderSize();
    renderStack();
    container.labCompute = { outputSize, receptiveField };
  });
})();
