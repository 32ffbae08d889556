// Shared helpers for the interactive lab modules. Plain JavaScript, no network, and user input
// only ever reaches the page as text (textContent, value attributes), never as HTML.
"use strict";

window.LabModules = (function () {
  const registry = {};
  const zh = () => document.documentElement.lang.startsWith("zh");
  let counter = 0;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  function svg(tag, attrs, children) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  // An id no other element of the page has (a page may hold several modules).
  function uid(prefix) {
    counter += 1;
    return `${prefix}-${counter}`;
  }

  function fmt(value, digits) {
    if (!Number.isFinite(value)) return String(value);
    const text = value.toFixed(digits);
    return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;  // -1e-9 rounds to 0.000000, never -0.000000
  }

  // A bound as a reader writes it: a true minus sign.
  const bound = (value) => String(value).replace("-", "−");

  // What is wrong with a number field's text, or null. The message names the field (its accessible
  // name) and what it accepts; rule = { min, max, integer }.
  function numberProblem(input, name, rule, inZh) {
    const raw = input.value.trim();
    const range = inZh
      ? `请输入 ${bound(rule.min)} 到 ${bound(rule.max)} 之间的${rule.integer ? "整数" : "数"}`
      : `enter a ${rule.integer ? "whole number" : "number"} from ${bound(rule.min)} to ${bound(rule.max)}`;
    const say = (en, cn) => (inZh ? `${name} ${cn}，${range}。` : `${name} ${en}; ${range}.`);
    if (input.validity.badInput) return say("is not a number", "不是数字");
    if (raw === "") return say("is empty", "为空");
    const value = Number(raw);
    if (!Number.isFinite(value)) return say("is not a number", "不是数字");
    if (value < rule.min || value > rule.max) return say(`= ${raw} is out of range`, `= ${raw} 超出范围`);
    if (rule.integer && !Number.isInteger(value)) return say(`= ${raw} is not a whole number`, `= ${raw} 不是整数`);
    return null;
  }

  // A number field named `name` for assistive technology. On every edit, onChange receives the value
  // (or null) and the problem with it (or null), as numberProblem finds it.
  function numberInput(value, options) {
    // 12 significant digits: the lab's 0.20000000000000007 shows as 0.2, as a person would type it.
    const input = el("input", { type: "number", step: options.step || "any", "aria-label": options.name,
                                min: String(options.rule.min), max: String(options.rule.max),
                                value: String(Number(value.toPrecision(12))) });
    input.addEventListener("input", () => {
      const problem = numberProblem(input, options.name, options.rule, zh());
      options.onChange(problem ? null : Number(input.value), problem);
    });
    return input;
  }

  // The problems of one group of inputs, shown together in a box that is announced when it changes
  // (role="alert"). Each problem is keyed, carries its message and the inputs it concerns; those
  // inputs are marked aria-invalid and described by the box while any problem names them.
  function problemBox() {
    const box = el("div", { class: "lab-module-errors", role: "alert", id: uid("lab-errors") });
    const problems = new Map();
    const seen = new Set();
    function show() {
      const word = zh() ? "错误：" : "Error: ";
      box.replaceChildren(...[...problems.values()].map(([message]) =>
        el("p", { class: "lab-module-error" }, [el("strong", { text: word }), message])));
      for (const input of seen) {
        const bad = [...problems.values()].some(([, inputs]) => inputs.includes(input));
        if (bad) {
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", box.id);
        } else {
          input.removeAttribute("aria-invalid");
          input.removeAttribute("aria-describedby");
        }
      }
    }
    return {
      box,
      set(key, message, inputs) {
        inputs.forEach((input) => seen.add(input));
        if (message) problems.set(key, [message, inputs]);
        else problems.delete(key);
        show();
      },
      messages: () => [...problems.values()].map(([message]) => message),
    };
  }

  function matrixTable(rows, digits, caption) {
    const table = el("table", { class: "lab-matrix" });
    if (caption) table.append(el("caption", { text: caption }));
    for (const row of rows) {
      table.append(el("tr", {}, row.map((v) => el("td", { text: fmt(v, digits) }))));
    }
    return table;
  }

  // Colours as the browser computes them, "rgb(r, g, b)" or "rgba(r, g, b, a)", as [r, g, b, a].
  function parseColour(text) {
    const parts = text.match(/[\d.]+/g).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  }

  // The opaque colour a node's translucent background is painted on: its ancestors' backgrounds,
  // composited from the first opaque one (the page's, which depends on the palette).
  function backdrop(node) {
    const layers = [];
    for (let at = node.parentElement; at; at = at.parentElement) {
      const colour = parseColour(getComputedStyle(at).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    let base = [255, 255, 255];
    for (const [r, g, b, a] of layers.reverse()) base = [r, g, b].map((c, i) => a * c + (1 - a) * base[i]);
    return base;
  }

  function over([r, g, b, a], base) {
    return [r, g, b].map((c, i) => a * c + (1 - a) * base[i]);
  }

  // WCAG relative luminance and contrast ratio.
  function luminance(rgb) {
    const [r, g, b] = rgb.map((c) => {
      const s = c / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  function contrast(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }

  // Black or white, whichever stands out more from the node's painted background; one of the two
  // always reaches 4.58:1.
  function readableText(node) {
    const painted = over(parseColour(getComputedStyle(node).backgroundColor), backdrop(node));
    return contrast(painted, [0, 0, 0]) >= contrast(painted, [255, 255, 255]) ? "#000000" : "#ffffff";
  }

  // Call back when the reader switches Material's palette (light "default" or dark "slate").
  function onPalette(callback) {
    new MutationObserver(callback).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  }

  function register(name, setup) {
    registry[name] = setup;
  }

  function start() {
    for (const container of document.querySelectorAll(".lab-module[data-module]")) {
      const setup = registry[container.dataset.module];
      const data = container.dataset.values;  // the lab's numbers, as JSON (macros/features/modules.py)
      if (!setup || !data || container.dataset.started) continue;
      container.dataset.started = "1";
      setup(container, JSON.parse(data), zh());
    }
  }

  return { el, svg, uid, fmt, bound, numberInput, numberProblem, problemBox, matrixTable, readableText, onPalette,
           register, start };
})();

if (typeof document$ !== "undefined") document$.subscribe(() => window.LabModules.start());
else document.addEventListener("DOMContentLoaded", () => window.LabModules.start());
