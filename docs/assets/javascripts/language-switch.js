// The language switcher under Material's instant navigation (navigation.instant). Instant
// navigation swaps the page's content but keeps its header, so the switcher would still point at
// the first page read, and a click on it would swap the other language's content in under this
// language's header, search index and <html lang>. After every page (document$ fires on each),
// each switcher link gets this page's address in its language, which the build writes into the
// swapped content (overrides/main.html), and a target, so that Material leaves the click to the
// browser: a language change is always a full page load.
document$.subscribe(() => {
  for (const link of document.querySelectorAll("a.md-select__link[hreflang]")) {
    const here = document.querySelector(`.lab-alternates a[hreflang="${link.hreflang}"]`);
    if (here) link.href = here.href;
    link.target = "_self";
  }
});
