// Search as you type on the project library. The page works without this
// script: the form submits normally. With it, typing or changing a filter
// fetches just the results (debounced) and swaps them in.
//
// Typing with an input method (pinyin, zhuyin, cangjie) sends input events
// for every keystroke of a word still being composed ("she'qu" before it
// becomes 社區): searching those would announce 「共 0 個項目」 and rewrite
// the address for text nobody meant. While a composition is open nothing
// is searched; its end (the word chosen) searches.
(function () {
  "use strict";
  var form = document.getElementById("library-form");
  var results = document.getElementById("results");
  if (!form || !results || !window.fetch) { return; }
  var timer = null;
  var seq = 0;
  var composing = false;
  function refresh() {
    var params = new URLSearchParams(new FormData(form));
    params.delete("page");
    var url = form.getAttribute("action") + "?" + params.toString();
    var mine = ++seq;
    results.setAttribute("aria-busy", "true");
    fetch(url + "&partial=1", { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) {
        // A 400 carries the form's problems in the reader's language:
        // show them in place of the results.
        return r.ok || r.status === 400 ? r.text().then(function (html) { return { ok: r.ok, html: html }; }) : Promise.reject(r.status);
      })
      .then(function (answer) {
        if (mine !== seq) { return; } // a newer query answered first
        results.innerHTML = answer.html;
        if (answer.ok) { history.replaceState(null, "", url); }
      })
      .catch(function () { /* keep the old results; the form still submits */ })
      .finally(function () { if (mine === seq) { results.removeAttribute("aria-busy"); } });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }
  form.addEventListener("compositionstart", function () {
    composing = true;
    clearTimeout(timer); // a search the first keystroke queued is moot
  });
  form.addEventListener("compositionend", function () {
    composing = false;
    later();
  });
  form.addEventListener("input", function (e) {
    if (composing || e.isComposing) { return; }
    later();
  });
  form.addEventListener("change", function (e) {
    if (composing || e.isComposing) { return; }
    clearTimeout(timer);
    refresh();
  });
})();
