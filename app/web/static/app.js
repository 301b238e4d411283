// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // A form sent once is not sent twice by a second click while the page loads.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented) { return; }
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    window.setTimeout(function () { form.dataset.sent = ""; }, 5000);
  });
  // An error summary takes the focus, so a keyboard or screen-reader user hears it first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  var language = document.documentElement.lang;

  // Copies the search engine's highlight (escaped text with <mark>) as text and <mark> only.
  function highlighted(html, into) {
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    doc.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeType === 3) {
        into.appendChild(document.createTextNode(node.textContent));
      } else if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        into.appendChild(mark);
      } else {
        into.appendChild(document.createTextNode(node.textContent || ""));
      }
    });
  }

  // Search as you type: the header's box suggests published projects (a combobox).
  var box = document.querySelector("input[data-suggest]");
  if (box && window.fetch && window.DOMParser) {
    var wrap = document.createElement("span");
    wrap.className = "suggest-box";
    box.parentNode.insertBefore(wrap, box);
    wrap.appendChild(box);
    var list = document.createElement("ul");
    list.id = "site-q-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", box.dataset.suggestLabel || "");
    list.hidden = true;
    wrap.appendChild(list);
    // The ARIA 1.0 combobox (a wrapper owning the text box and the list box): the axe-core the
    // tests run knows this one.
    wrap.setAttribute("role", "combobox");
    wrap.setAttribute("aria-haspopup", "listbox");
    wrap.setAttribute("aria-owns", list.id);
    wrap.setAttribute("aria-expanded", "false");
    box.setAttribute("role", "textbox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", list.id);
    var timer = 0;
    var asked = "";
    var active = -1;

    var close = function () {
      list.hidden = true;
      list.replaceChildren();
      active = -1;
      wrap.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
    };
    var choose = function (index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (option, i) { option.setAttribute("aria-selected", String(i === index)); });
      active = index;
      if (index >= 0 && options[index]) {
        box.setAttribute("aria-activedescendant", options[index].id);
      } else {
        box.removeAttribute("aria-activedescendant");
      }
    };
    var show = function (items) {
      list.replaceChildren();
      items.forEach(function (item, i) {
        var english = language === "en";
        var title = (english ? item.title_en || item.title_zh : item.title_zh || item.title_en) || "";
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = "site-q-option-" + i;
        var link = document.createElement("a");
        link.href = "/projects/" + encodeURIComponent(item.id);
        link.tabIndex = -1;
        var plain = document.createElement("span");
        highlighted(item.highlight || "", plain);
        if (item.highlight && plain.textContent === title) {
          link.appendChild(plain);
        } else {
          link.textContent = title;
        }
        if (title === item.title_zh && language !== "zh-Hans") { link.lang = "zh-Hans"; }
        li.appendChild(link);
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      wrap.setAttribute("aria-expanded", String(items.length > 0));
      active = -1;
    };
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      var q = box.value.trim();
      if (!q) { close(); return; }
      timer = window.setTimeout(function () {
        asked = q;
        fetch(box.dataset.suggest + "?limit=8&q=" + encodeURIComponent(q), { headers: { accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { items: [] }; })
          .then(function (body) { if (asked === box.value.trim()) { show(body.items || []); } })
          .catch(close);
      }, 150);
    });
    box.addEventListener("keydown", function (event) {
      var count = list.querySelectorAll("[role=option]").length;
      if (event.key === "ArrowDown" && count) {
        event.preventDefault(); choose((active + 1) % count);
      } else if (event.key === "ArrowUp" && count) {
        event.preventDefault(); choose(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Escape") {
        close();
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = list.querySelectorAll("[role=option] a")[active].href;
      }
    });
    box.addEventListener("blur", function () { window.setTimeout(close, 200); });
  }

  // Filters on the search page: a change shows the new results without a full reload.
  var main = document.querySelector("main");
  function live(form) {
    if (!form || !window.fetch || !window.history.pushState) { return; }
    form.addEventListener("change", function () {
      var params = new URLSearchParams(new FormData(form));
      load("/projects?" + params.toString(), true);
    });
  }
  function load(url, push) {
    var results = document.getElementById("results");
    if (results) {
      results.setAttribute("aria-busy", "true");
      var total = document.getElementById("results-total");
      if (total && results.dataset.loading) { total.textContent = results.dataset.loading; }
    }
    var focused = document.activeElement && document.activeElement.id;
    var open = Array.prototype.map.call(main.querySelectorAll("details.facet"), function (d) { return d.open; });
    fetch(url, { headers: { accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("main");
        if (!fresh) { window.location.href = url; return; }
        main.replaceChildren.apply(main, Array.prototype.slice.call(fresh.childNodes).map(function (n) { return document.adoptNode(n); }));
        main.querySelectorAll("details.facet").forEach(function (d, i) { if (open[i]) { d.open = true; } });
        var languages = document.querySelector(".languages");
        var freshLanguages = doc.querySelector(".languages");
        if (languages && freshLanguages) { languages.replaceWith(document.adoptNode(freshLanguages)); }
        document.title = doc.title;
        if (push) { window.history.pushState({ live: true }, "", url); }
        var again = focused && document.getElementById(focused);
        if (again) { again.focus(); }
        live(document.querySelector("form[data-live]"));
      })
      .catch(function () { window.location.href = url; });
  }
  live(document.querySelector("form[data-live]"));
  window.addEventListener("popstate", function () {
    if (document.querySelector("form[data-live]")) { load(window.location.href, false); }
  });
})();
