// Search as you type on the project library. The page works without this
// script: the form submits normally. With it, typing or changing a filter
// fetches just the results (debounced) and swaps them in.
(function () {
  "use strict";
  var form = document.getElementById("library-form");
  var results = document.getElementById("results");
  if (!form || !results || !window.fetch) { return; }
  var timer = null;
  var seq = 0;
  function refresh() {
    var params = new URLSearchParams(new FormData(form));
    params.delete("page");
    var url = form.getAttribute("action") + "?" + params.toString();
    var mine = ++seq;
    results.setAttribute("aria-busy", "true");
    fetch(url + "&partial=1", { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        if (mine !== seq) { return; } // a newer query answered first
        results.innerHTML = html;
        history.replaceState(null, "", url);
      })
      .catch(function () { /* keep the old results; the form still submits */ })
      .finally(function () { if (mine === seq) { results.removeAttribute("aria-busy"); } });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    refresh();
  });
})();
