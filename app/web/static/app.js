// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // A form sent once is not sent twice by a second click while the page loads.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    window.setTimeout(function () { form.dataset.sent = ""; }, 5000);
  });
  // An error summary takes the focus, so a keyboard or screen-reader user hears it first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
})();
