// The project form's live checklist (progressive enhancement: without this file the checklist
// is brought up to date each time the form is saved). As fields are filled, the form is posted
// to /me/projects/checklist (CSRF-checked, never saved) 400 ms after the last keystroke, and the
// checklist it answers replaces the one beside the form (an aria-live region).
(function () {
  "use strict";
  var form = document.querySelector("form[data-checklist]");
  var box = document.getElementById("checklist");
  if (!form || !box || !window.fetch || !window.FormData || !window.DOMParser) { return; }
  var url = form.getAttribute("data-checklist") + "?lang=" +
    encodeURIComponent(document.documentElement.lang);
  var timer = null;
  var asked = 0;
  var shown = "";  // the answer on screen: the same answer again is not announced again

  function refresh() {
    var ticket = ++asked;
    var body = new URLSearchParams(new FormData(form));
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "text/html" },
      redirect: "error"
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      if (ticket !== asked || html === shown) { return; }  // a later answer is on its way
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.body;
      if (!fresh.querySelector(".research-checklist")) { return; }
      shown = html;
      var nodes = Array.prototype.slice.call(fresh.childNodes);
      box.replaceChildren.apply(box, nodes.map(function (node) {
        return document.importNode(node, true);
      }));
    }).catch(function () { /* the checklist stays as it was; saving still updates it */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
