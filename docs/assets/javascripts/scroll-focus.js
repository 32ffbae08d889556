// A box that scrolls sideways (a wide table, a long display formula) can be scrolled with the
// keyboard only if it can take focus (WCAG 2.1.1): it gets a tab stop while it overflows, and
// loses it when the window grows wide enough to show it whole.
(() => {
  const boxes = "article .md-typeset__scrollwrap, article .katex-display";
  const mark = () => {
    for (const box of document.querySelectorAll(boxes)) {
      if (box.scrollWidth > box.clientWidth) box.tabIndex = 0;
      else box.removeAttribute("tabindex");
    }
  };
  document$.subscribe(() => {
    requestAnimationFrame(mark);
    document.fonts.ready.then(mark);
  });
  window.addEventListener("resize", mark);
})();
