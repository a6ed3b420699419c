// The site menu works without this script (<details>); it only closes an
// open menu the way people expect a menu to close: on Escape, returning
// the focus to its button, and on a click outside it.
(function () {
  "use strict";
  function openMenus() {
    return document.querySelectorAll(".top details[open]");
  }
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = openMenus();
    if (open.length === 0) return;
    var last = open[open.length - 1]; // the innermost: 「更多」 inside the phone menu
    last.open = false;
    last.querySelector("summary").focus();
  });
  document.addEventListener("click", function (e) {
    openMenus().forEach(function (d) {
      if (!d.contains(e.target)) d.open = false;
    });
  });
})();
