// Seeing the notifications marks them read. The page itself changes
// nothing (no GET writes); this posts its "mark read" form at once, up to
// the newest notification shown, and quiets the bell. Without the script
// the button does the same.
(function () {
  "use strict";
  var form = document.getElementById("mark-read");
  if (!form || !window.fetch) { return; }
  fetch(form.getAttribute("action"), { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" })
    .then(function (r) {
      if (!r.ok) { return; } // the button still works
      var badge = document.getElementById("unread");
      if (badge) { badge.remove(); }
      form.hidden = true;
    })
    .catch(function () { /* the button still works */ });
})();
