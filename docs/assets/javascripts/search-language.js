// Each language searches its own pages: the build writes search/search_index.<lang>.json next to the
// index of both languages (macros/features/search_text.py), and this asks Material's search for the
// one of the page's language. Material fetches its index with XMLHttpRequest; loaded before it.
(function () {
  var lang = document.documentElement.lang === "zh" ? "zh" : "en";
  var open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url) {
    var args = Array.prototype.slice.call(arguments);
    if (typeof url === "string" && /\/search\/search_index\.json$/.test(url)) {
      args[1] = url.replace(/search_index\.json$/, "search_index." + lang + ".json");
    }
    return open.apply(this, args);
  };
})();
