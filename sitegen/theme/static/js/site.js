/* sitegen: small enhancements to every page. Each page works without them. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.className = root.className.replace(/\bno-js\b/, "js");

  // A relative link to a folder ("../report/"), made to name its index.html.
  function withIndexFile(address) {
    if (!address || /^[a-z][a-z0-9+.-]*:/i.test(address) || address.charAt(0) === "/" || address.charAt(0) === "#") {
      return address;
    }
    var cut = address.search(/[?#]/);
    var path = cut < 0 ? address : address.slice(0, cut);
    var rest = cut < 0 ? "" : address.slice(cut);
    if (path === "." || path === "..") path += "/";
    return /\/$/.test(path) ? path + "index.html" + rest : address;
  }

  function enhance() {
    markWideTables();
    // Narrow screens: the navigation folds behind a Menu button (site.css shows it).
    var toggle = document.querySelector(".site-nav__toggle");
    if (toggle) {
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") === "true";
        toggle.setAttribute("aria-expanded", open ? "false" : "true");
      });
    }
    // Opened from disk (a shared drive), a link to a folder would show the folder's
    // listing rather than its page: point every such link and form at index.html.
    if (window.location.protocol === "file:") {
      var links = document.querySelectorAll("a[href]");
      for (var i = 0; i < links.length; i++) {
        links[i].setAttribute("href", withIndexFile(links[i].getAttribute("href")));
      }
      var forms = document.querySelectorAll("form[action]");
      for (var j = 0; j < forms.length; j++) {
        forms[j].setAttribute("action", withIndexFile(forms[j].getAttribute("action")));
      }
    }
  }

  // A table wider than its frame says so above it (site.css shows .data-table__cue).
  function markWideTables() {
    var frames = document.querySelectorAll(".data-table__scroll");
    for (var i = 0; i < frames.length; i++) {
      var figure = frames[i].parentNode;
      var wide = frames[i].scrollWidth > frames[i].clientWidth + 1;
      figure.className = figure.className.replace(/\s*\bdata-table--wide\b/g, "") + (wide ? " data-table--wide" : "");
    }
  }

  window.sitegen = { withIndexFile: withIndexFile };
  window.addEventListener("resize", markWideTables);
  window.addEventListener("load", markWideTables);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
