// Shared helpers for the interactive lab modules. Plain JavaScript, no network, and user input
// only ever reaches the page as text (textContent, value attributes), never as HTML.
"use strict";

window.LabModules = (function () {
  const registry = {};
  const zh = () => document.documentElement.lang.startsWith("zh");

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    return node;
  }

  function fmt(value, digits) {
    return Number.isFinite(value) ? value.toFixed(digits) : String(value);
  }

  function numberInput(value, onInput, step) {
    // 12 significant digits: the lab's 0.20000000000000007 shows as 0.2, as a person would type it.
    const input = el("input", { type: "number", step: step || "any", value: String(Number(value.toPrecision(12))) });
    input.addEventListener("input", () => {
      const parsed = Number.parseFloat(input.value);
      if (Number.isFinite(parsed)) onInput(parsed);
    });
    return input;
  }

  function matrixTable(rows, digits, caption) {
    const table = el("table", { class: "lab-matrix" });
    if (caption) table.append(el("caption", { text: caption }));
    for (const row of rows) {
      table.append(el("tr", {}, row.map((v) => el("td", { text: fmt(v, digits) }))));
    }
    return table;
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

  return { el, svg, fmt, numberInput, matrixTable, register, start };
})();

if (typeof document$ !== "undefined") document$.subscribe(() => window.LabModules.start());
else document.addEventListener("DOMContentLoaded", () => window.LabModules.start());
