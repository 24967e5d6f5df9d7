/* sitegen search: lunr.js over the index the build wrote, loaded as scripts so that it
   works from a file: page too. search/index.js names the shards of the index; each
   shard is a lunr index of some of the pages with their documents store, and a query's
   results are those of every shard ranked together. No request leaves the site. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-search-index]");
  if (!form || !window.lunr) return;
  var results = document.getElementById("search-results");
  var notice = document.querySelector("[data-search-no-script]");
  var filters = ["kind", "theme", "sector"];
  var shards = null; // [{index: lunr.Index, documents: [...]}], once every shard has loaded

  if (notice) notice.hidden = true;
  var params = new URLSearchParams(window.location.search);
  ["q"].concat(filters).forEach(function (name) {
    var field = form.elements[name];
    if (field && params.get(name)) field.value = params.get(name);
  });

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function optionLabel(name, value) {
    var select = form.elements[name];
    if (!select) return value;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) return select.options[i].text;
    }
    return value;
  }

  function pageAddress(url) {
    var address = (form.getAttribute("data-root") || "") + url;
    var fromDisk = window.location.protocol === "file:" && window.sitegen;
    return fromDisk ? window.sitegen.withIndexFile(address || "./") : address || "./";
  }

  // Words of the query, as the index holds them (stop words such as "the" are not in it).
  function queryWords(text) {
    return window.lunr.tokenizer(text).map(String).filter(function (word) {
      return window.lunr.stopWordFilter(word) !== undefined;
    });
  }

  // Every shard's hits, best first; equal scores in address order, so results are stable.
  function search(words, presence) {
    var hits = [];
    shards.forEach(function (shard) {
      shard.index.query(function (query) {
        words.forEach(function (word) {
          query.term(word, { presence: presence });
        });
      }).forEach(function (hit) {
        hits.push({ score: hit.score, document: shard.documents[Number(hit.ref)] });
      });
    });
    // Pages whose own words match first, then the listings of pages (an index of case studies
    // by place matches by the names of the studies it lists): each best first.
    hits.sort(function (a, b) {
      return (a.document.listing ? 1 : 0) - (b.document.listing ? 1 : 0) || b.score - a.score ||
        (a.document.url < b.document.url ? -1 : a.document.url > b.document.url ? 1 : 0);
    });
    return hits.map(function (hit) { return hit.document; });
  }

  function allDocuments() {
    return shards.reduce(function (all, shard) { return all.concat(shard.documents); }, []);
  }

  function matchesFilters(document) {
    return filters.every(function (name) {
      var wanted = form.elements[name] ? form.elements[name].value : "";
      return !wanted || document[name] === wanted;
    });
  }

  function run() {
    if (!shards) return;
    var text = form.elements.q.value.trim();
    var words = queryWords(text);
    var found = [];
    var partial = false;
    if (words.length) {
      var hits = search(words, window.lunr.Query.presence.REQUIRED);
      if (!hits.length) {
        hits = search(words, window.lunr.Query.presence.OPTIONAL);
        partial = hits.length > 0;
      }
      found = hits;
    } else if (filters.some(function (name) { return form.elements[name] && form.elements[name].value; })) {
      found = allDocuments().sort(function (a, b) { return a.title.localeCompare(b.title); });
    } else {
      results.textContent = "";
      return;
    }
    show(found.filter(matchesFilters), text, partial);
  }

  function show(found, text, partial) {
    results.textContent = "";
    var count = found.length === 1 ? "1 result" : found.length + " results";
    var heading = element("h2", "search-results__heading", text ? count + " for \u201c" + text + "\u201d" : count);
    heading.id = "search-results-heading";
    results.appendChild(heading);
    if (partial) {
      results.appendChild(element("p", "", "No page has all of these words; these pages have some of them."));
    }
    if (!found.length) {
      results.appendChild(element("p", "", "Try other words, fewer words, or fewer filters."));
      return;
    }
    var list = element("ol", "search-results__list");
    found.forEach(function (document) {
      var item = element("li", "search-result");
      var title = element("h3", "search-result__title");
      var link = element("a", "", document.title);
      link.href = pageAddress(document.url);
      title.appendChild(link);
      item.appendChild(title);
      if (document.summary) item.appendChild(element("p", "search-result__summary", document.summary));
      var facts = [document.kind || "Page"];
      if (document.theme) facts.push(optionLabel("theme", document.theme));
      if (document.sector) facts.push(optionLabel("sector", document.sector));
      item.appendChild(element("p", "search-result__meta", facts.join(" \u00b7 ")));
      list.appendChild(item);
    });
    results.appendChild(list);
  }

  function remember() {
    var query = new URLSearchParams();
    ["q"].concat(filters).forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value) query.set(name, field.value);
    });
    try {
      window.history.replaceState(null, "", "?" + query.toString());
    } catch (error) {
      // Some browsers refuse to change the address of a file: page; the results still show.
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    remember();
    run();
  });
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT") {
      remember();
      run();
    }
  });

  function failed() {
    results.textContent = "";
    results.appendChild(element("p", "", "The search index could not be loaded. The site map lists every page."));
  }

  function load(src, then) {
    var script = document.createElement("script");
    script.src = src;
    script.onload = then;
    script.onerror = failed;
    document.head.appendChild(script);
  }

  var manifest = form.getAttribute("data-search-index");
  var folder = manifest.slice(0, manifest.lastIndexOf("/") + 1);
  load(manifest, function () {
    var names = window.SITEGEN_SEARCH.shards;
    var waiting = names.length;
    if (!waiting) { // no page is indexed
      shards = [];
      run();
    }
    names.forEach(function (name) {
      load(folder + name, function () {
        waiting -= 1;
        if (waiting) return;
        shards = window.SITEGEN_SEARCH_SHARDS.map(function (shard) {
          return { index: window.lunr.Index.load(shard.index), documents: shard.documents };
        });
        run();
      });
    });
  });
})();
