/* 站内搜索 — window.siteSearch(query, options) on the Pagefind index, and the UI of /search/.
 *
 * The index (see generator/search/) holds each Han character of an item page once as a word (in
 * Simplified form), but for the part's stop characters, which have bitmaps of their pages instead;
 * pinyin keys ("pykeys") and exact-match keys ("keys"). This file turns a query into the same words,
 * asks Pagefind (and the bitmaps) for the candidate pages, checks each candidate's text (the
 * fragment's content: the page's own text) really holds the query, and ranks: an exact title, 索引号 or
 * 文号 first, then the title whose short name is the query (计量法: 中华人民共和国计量法, not its
 * 实施细则; in characters or pinyin), then pages whose title holds the query, then Pagefind's score.
 *
 * siteSearch(query, {filters: {category, department, year}, sort: "relevance"|"date", offset, limit})
 *   -> Promise of an array of {url, title, date, category, categories, department, year, index_no,
 *      doc_no, excerpt (HTML, matches in <mark>), score}; the array also carries .total (results
 *      before offset/limit), .facets ({category: {name: count}, department: …, year: …}) and
 *      .approximate (true when the candidates were too many to check them all).
 * category is a code ("0204") or a name ("行政许可"); url is the path inside the site ("/quanli/xuke/2026-00001/").
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var ROOT = new URL("../", script ? script.src : location.href);     // static/search.js -> site root
  var KEY = "0y", PINYIN_CAP = 12;
  var FULL_LIMIT = 400;          // candidates checked one by one; beyond, pages are checked as shown
  var PAGE_SIZE = 10;
  var HAN_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2ffff}]+/gu;
  var FACETS = ["category", "department", "year"];
  var INTERNAL_META = ["pinyin", "cpinyin", "pykeys", "keys", "v"];
  var TITLE_NOISE = /[\s《》〈〉]+/g, TITLE_NOTE = /[(（][^()（）]*[)）]$/;     // text.py's, for short names
  var LEADING_WORD = /^[0-9a-z]/, NOT_WORD = /[^\p{L}\p{N}\p{M}_]/gu;

  function pageConfig() {
    var el = document.getElementById("search");
    try { return el ? JSON.parse(el.dataset.config) : {}; } catch (e) { return {}; }
  }
  var CONFIG = pageConfig();
  var PREFIXES = CONFIG.prefixes || [];     // text.title_prefixes: 中华人民共和国, provinces, the site's names

  // ------------------------------------------------------------ loading

  var pagefindPromise = null, mapPromise = null;

  /** The bundle is made in parts (pagefind/parts.json; generator/search/): one Pagefind module per
   *  part, searched together. A search sorted by date lists part 0's results first (the parts hold
   *  the pages by date, newest first); otherwise the results are merged by score. */
  function loadPart(path) {
    var base = new URL("pagefind/" + path, ROOT);
    return Promise.all([
      import(new URL("pagefind.js", base).href).then(function (pf) {
        return Promise.resolve(pf.options({ baseUrl: "/" })).then(function () { return pf.init(); })
          .then(function () { return pf; });
      }),
      fetch(new URL("stop.json?ts=" + Date.now(), base).href).then(function (r) {     // never an old one
        if (!r.ok) throw new Error("stop.json: " + r.status);
        return r.json();
      }),
    ]).then(function (loaded) {
      return { pf: loaded[0], base: base, stop: new Set(Array.from(loaded[1].chars || "")), version: loaded[1].version,
               pages: null, bits: new Map() };
    });
  }

  // ------------------------------------------------------------ stop characters (generator/search/stops.py)
  // The characters on a fifth or more of a part's pages are not in its Pagefind index (but for the
  // titles): each has a bitmap of the part's pages, bit i for the page of sort "n" i. The part's
  // pages.json lists its pages' ids in that order and the pages of each filter value: Pagefind is
  // never asked for every page (a search for no word makes the browser load every index chunk).
  // Their names stay from build to build: they are asked by the version stop.json gives.

  function partPages(part) {
    if (!part.pages) {
      part.pages = fetch(new URL("pages.json" + "?v=" + part.version, part.base).href)
        .then(function (r) { if (!r.ok) throw new Error("pages.json: " + r.status); return r.json(); })
        .then(function (data) {
          var facets = {};
          Object.keys(data.filters || {}).forEach(function (facet) {
            facets[facet] = {};
            Object.keys(data.filters[facet]).forEach(function (value) {
              facets[facet][value] = new Set(data.filters[facet][value].map(function (i) { return data.ids[i]; }));
            });
          });
          return { ids: data.ids, facets: facets };
        });
      part.pages.catch(function () { part.pages = null; });
    }
    return part.pages;
  }

  function bitmap(part, ch) {
    if (!part.bits.has(ch)) {
      var loading = fetch(new URL("stop/" + ch.codePointAt(0).toString(16) + ".bin" + "?v=" + part.version, part.base).href)
        .then(function (r) { if (!r.ok) throw new Error("stop/" + ch + ": " + r.status); return r.arrayBuffer(); })
        .then(function (buffer) { return new Uint8Array(buffer); });
      part.bits.set(ch, loading);
      loading.catch(function () { part.bits.delete(ch); });
    }
    return part.bits.get(ch);
  }

  /** The ids of the part's pages that hold every one of `chars` (its stop characters), in sort "n" order. */
  function stopPages(part, chars) {
    return Promise.all([partPages(part)].concat(chars.map(function (ch) { return bitmap(part, ch); })))
      .then(function (loaded) {
        var maps = loaded.slice(1);
        return loaded[0].ids.filter(function (id, i) {
          var byte = i >> 3, bit = 1 << (i & 7);
          return maps.every(function (m) { return m[byte] & bit; });
        });
      });
  }

  /** A page's fragment, as Pagefind's result.data() gives it (url, content, meta, filters), for the
   *  pages found by bitmaps alone. Fragments are gzip files (a server may have unpacked one). */
  function fragmentData(part, id) {
    return fetch(new URL("fragment/" + id + ".pf_fragment", part.base).href)
      .then(function (r) { if (!r.ok) throw new Error("fragment " + id + ": " + r.status); return r.arrayBuffer(); })
      .then(function (buffer) {
        var bytes = new Uint8Array(buffer);
        if (!(bytes[0] === 0x1f && bytes[1] === 0x8b)) return buffer;
        return new Response(new Blob([buffer]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
      })
      .then(function (buffer) { return JSON.parse(new TextDecoder().decode(buffer).slice("pagefind_dcd".length)); });
  }

  /** Each filter value's count among `results` (a part's): the pages of each value from pages.json. */
  function countsOf(part, results) {
    return partPages(part).then(function (pages) {
      var out = {};
      Object.keys(pages.facets).forEach(function (facet) {
        out[facet] = {};
        Object.keys(pages.facets[facet]).forEach(function (value) {
          var set = pages.facets[facet][value], n = 0;
          results.forEach(function (r) { if (set.has(r.id)) n++; });
          out[facet][value] = n;
        });
      });
      return out;
    });
  }

  /** Pagefind's search of one part for `term` (words separated by spaces, as termKeys makes them): the
   *  words that are stop characters of the part are asked of their bitmaps instead; a term of stop
   *  characters only takes the pages of its bitmaps that pass the filters, newest first (sort "n": by
   *  date, newest first, then by path). Pagefind's filter counts are then not the pages found's:
   *  counts() gives theirs (only large result lists show them). */
  function searchPart(part, term, options) {
    var words = term === null ? [] : term.split(" ").filter(Boolean);
    var stops = Array.from(new Set(words.filter(function (w) { return part.stop.has(w); })));
    if (!stops.length) {
      return part.pf.search(term, options).then(function (search) {
        return { results: search.results, filters: search.filters,
                 counts: function () { return Promise.resolve(search.filters); } };
      });
    }
    var rest = words.filter(function (w) { return !part.stop.has(w); });
    if (!rest.length) {
      var wanted = (options && options.filters) || {};
      return Promise.all([partPages(part), stopPages(part, stops)]).then(function (got) {
        var facets = got[0].facets;
        var results = got[1].filter(function (id) {
          return Object.keys(wanted).every(function (facet) {
            var set = (facets[facet] || {})[wanted[facet]];
            return !!set && set.has(id);
          });
        }).map(function (id) {
          return { id: id, score: 0, data: function () { return fragmentData(part, id); } };
        });
        return { results: results, filters: {}, counts: function () { return countsOf(part, results); } };
      });
    }
    return Promise.all([part.pf.search(rest.join(" "), options), stopPages(part, stops)]).then(function (got) {
      var holding = new Set(got[1]);
      var results = got[0].results.filter(function (r) { return holding.has(r.id); });
      return { results: results, filters: got[0].filters, counts: function () { return countsOf(part, results); } };
    });
  }

  function addCounts(into, counts) {
    Object.keys(counts || {}).forEach(function (facet) {
      var target = into[facet] = into[facet] || {};
      Object.keys(counts[facet]).forEach(function (v) { target[v] = (target[v] || 0) + counts[facet][v]; });
    });
    return into;
  }

  function together(parts) {
    return {
      search: function (term, options) {
        return Promise.all(parts.map(function (part) { return searchPart(part, term, options); })).then(function (found) {
          if (found.length === 1) return found[0];
          var results = [].concat.apply([], found.map(function (s) { return s.results; }));
          if (!(options && options.sort && Object.keys(options.sort).length)) {
            results = results.map(function (r, i) { return [r, i]; })
              .sort(function (a, b) { return b[0].score - a[0].score || a[1] - b[1]; })
              .map(function (pair) { return pair[0]; });
          }
          return {
            results: results, filters: found.reduce(function (all, s) { return addCounts(all, s.filters); }, {}),
            counts: function () {
              return Promise.all(found.map(function (s) { return s.counts(); })).then(function (all) {
                return all.reduce(addCounts, {});
              });
            },
          };
        });
      },
      filters: function () {
        return Promise.all(parts.map(function (part) { return part.pf.filters(); })).then(function (all) {
          return all.reduce(addCounts, {});
        });
      },
    };
  }

  function loadPagefind() {
    if (!pagefindPromise) {
      pagefindPromise = fetch(new URL("pagefind/parts.json?ts=" + Date.now(), ROOT).href)     // as Pagefind its entry
        .then(function (r) { if (!r.ok) throw new Error("parts.json: " + r.status); return r.json(); })
        .then(function (data) { return Promise.all(data.parts.map(loadPart)); })
        .then(together);
      pagefindPromise.catch(function () { pagefindPromise = null; });
    }
    return pagefindPromise;
  }

  function loadMap() {
    if (!mapPromise) {
      mapPromise = fetch(new URL(CONFIG.t2s || "search/zh-t2s.json", ROOT).href)
        .then(function (r) { if (!r.ok) throw new Error("zh-t2s.json: " + r.status); return r.json(); })
        .then(function (data) {
          var map = new Map(), chars = Array.from(data.map || "");
          for (var i = 0; i + 1 < chars.length; i += 2) map.set(chars[i], chars[i + 1]);
          return map;
        });
      mapPromise.catch(function () { mapPromise = null; });
    }
    return mapPromise;
  }

  // ------------------------------------------------------------ the same keys as generator/search/text.py

  function normalise(text, map) {
    var out = "";
    for (var ch of text) out += map.get(ch) || ch;
    return out;
  }

  function fnvKey(text) {
    var out = KEY;
    [0x811c9dc5, 0x050c5d1f].forEach(function (basis) {
      var h = basis;
      for (var ch of text) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0;
      out += ("0000000" + h.toString(16)).slice(-8);
    });
    return out;
  }

  /** Pagefind words for one term: each Han character (the index's words), and each stretch of other
   *  text without its punctuation, as Pagefind keeps a whole word (〔2025〕12 -> 202512; Pagefind would
   *  split the query at the punctuation into words that are not in the index). */
  function termKeys(term) {
    var keys = [], last = 0;
    for (var m of term.matchAll(HAN_RUN)) {
      if (m.index > last) keys.push(term.slice(last, m.index));
      Array.from(new Set(m[0])).forEach(function (ch) { keys.push(ch); });
      last = m.index + m[0].length;
    }
    if (last < term.length) keys.push(term.slice(last));
    return keys.map(function (k) { return k.replace(NOT_WORD, ""); }).filter(Boolean);
  }

  /** Keys for a term that may begin inside a word of the text (6次会议通过 in 第1506次会议通过, SO9001 in
   *  ISO9001): Pagefind matches a word from its start, so the term's leading letters or digits are left
   *  to judge(). A term without Han keeps the later parts of its word that Pagefind indexes on their
   *  own (two characters or more: 9001 of ISO9001), or, as a last resort, its last part. */
  function looseKeys(term, lastResort) {
    if (!LEADING_WORD.test(term)) return termKeys(term);
    var han = term.search(HAN_RUN);
    if (han >= 0) return termKeys(term.slice(han));
    var parts = (term.match(/[a-z]+|[0-9]+/g) || []).slice(1);
    var long = parts.filter(function (part) { return part.length > 1; });
    return long.length || !lastResort ? long : parts.slice(-1);
  }

  function titleForm(text) { return text.replace(TITLE_NOISE, ""); }

  function hanCount(text) { return (text.match(HAN_RUN) || []).join("").length; }

  function parseQuery(raw, map) {
    var text = normalise(String(raw || "").replace(/[\u200b\u2060]/g, ""), map).trim().replace(/\s+/g, " ").toLowerCase();
    var terms = text ? text.split(" ") : [];
    var letterForm = text.replace(/ü/g, "v");
    var pinyin = /^[a-z' ]+$/.test(letterForm) ? letterForm.replace(/[ ']/g, "") : "";
    return { text: text, terms: terms, pinyin: pinyin, form: titleForm(text) };
  }

  // ------------------------------------------------------------ checking and ranking candidates

  function syllableRuns(value) {
    return String(value || "").split(" / ").filter(Boolean).map(function (run) { return run.split(" "); });
  }

  function readsAs(runs, pinyin) {
    return runs.some(function (run) {
      for (var i = 0; i < run.length; i++) {
        var rest = run.slice(i);
        if (rest.join("").startsWith(pinyin)) return true;
        if (rest.map(function (s) { return s[0]; }).join("").startsWith(pinyin)) return true;
      }
      return false;
    });
  }

  /** The short names of a title (text.py, title_forms and title_prefixes): its form, and that without a
   *  trailing note, less any chain of prefixes; each with the syllables of the title it reads as. */
  function shortNames(normTitle, titleRuns) {
    var bare = titleForm(normTitle), core = bare.replace(TITLE_NOTE, "");
    var syllables = [].concat.apply([], titleRuns);
    var aligned = syllables.length === hanCount(normTitle);      // one syllable per Han character
    var names = [], seen = new Set();
    (core && core !== bare ? [bare, core] : [bare]).forEach(function (form) {
      var end = hanCount(form), queue = [[form, 0]];
      while (queue.length) {
        var name = queue.shift(), text = name[0];
        if (seen.has(text)) continue;
        seen.add(text);
        var tail = aligned ? syllables.slice(name[1], end) : [];
        names.push({ text: text, pinyin: tail.join(""), initials: tail.map(function (s) { return s[0]; }).join("") });
        PREFIXES.forEach(function (prefix) {
          if (text.length > prefix.length && text.startsWith(prefix)) queue.push([text.slice(prefix.length), name[1] + hanCount(prefix)]);
        });
      }
    });
    return names;
  }

  /** A candidate's data, with what checking and display need computed once. */
  function prepare(data, map) {
    var meta = data.meta || {};
    var content = String(data.content || "");      // the page's text (generator/search/copies.py, page_text)
    var chars = Array.from(content), norm = "", offsets = [];
    chars.forEach(function (ch, i) {
      var n = (map.get(ch) || ch).toLowerCase();
      for (var k = 0; k < n.length; k++) offsets.push(i);
      norm += n;
    });
    offsets.push(chars.length);
    var filters = data.filters || {};
    var categories = filters.category || [];
    var normTitle = normalise(meta.title || "", map).toLowerCase();
    var titleRuns = syllableRuns(meta.pinyin);
    return {
      url: data.url, meta: meta, chars: chars, norm: norm, offsets: offsets,
      title: meta.title || "",
      normTitle: normTitle, shortNames: shortNames(normTitle, titleRuns),
      normIndex: normalise(meta.index_no || "", map).toLowerCase(),
      normDoc: normalise(meta.doc_no || "", map).toLowerCase(),
      titleRuns: titleRuns, categoryRuns: syllableRuns(meta.cpinyin),
      filters: { category: categories, department: filters.department || [], year: filters.year || [] },
    };
  }

  function judge(item, query) {
    var exact = query.text && (item.normTitle === query.text || item.normIndex === query.text ||
                               item.normDoc === query.text);
    var hay = item.norm + "\n" + item.normIndex + "\n" + item.normDoc;
    var inText = query.terms.length > 0 && query.terms.every(function (t) { return hay.includes(t); });
    var inTitle = query.terms.length > 0 && query.terms.every(function (t) { return item.normTitle.includes(t); });
    var byTitlePinyin = !!query.pinyin && readsAs(item.titleRuns, query.pinyin);
    var byCategoryPinyin = !!query.pinyin && readsAs(item.categoryRuns, query.pinyin);
    var shortName = !!query.form && item.shortNames.some(function (n) {
      return n.text === query.form || (!!query.pinyin && (n.pinyin === query.pinyin || n.initials === query.pinyin));
    });
    if (!(exact || inText || shortName || byTitlePinyin || byCategoryPinyin)) return null;
    return exact ? 0 : shortName ? 1 : (inTitle || byTitlePinyin) ? 2 : 3;
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /** About 100 characters of the original text around the first match, matches in <mark>. */
  function excerpt(item, query) {
    var spans = [];
    query.terms.forEach(function (t) {
      var from = 0, at;
      while (t && (at = item.norm.indexOf(t, from)) >= 0 && spans.length < 50) {
        spans.push([item.offsets[at], item.offsets[at + t.length]]);
        from = at + t.length;
      }
    });
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var skip = Array.from(item.title).length;                // the content starts with the title
    var first = spans.find(function (s) { return s[0] >= skip; }) || spans[0];
    var floor = first && first[0] >= skip ? skip : 0;
    var start = first ? Math.max(floor, first[0] - 30) : Math.min(skip, item.chars.length);
    while (start > 0 && start < item.chars.length && /\s/.test(item.chars[start])) start++;
    var end = Math.min(item.chars.length, start + 100);
    var html = "", pos = start;
    spans.forEach(function (s) {
      if (s[0] < pos || s[0] >= end) return;
      html += escapeHtml(item.chars.slice(pos, s[0]).join(""));
      var stop = Math.min(s[1], end);
      html += "<mark>" + escapeHtml(item.chars.slice(s[0], stop).join("")) + "</mark>";
      pos = stop;
    });
    html += escapeHtml(item.chars.slice(pos, end).join(""));
    html = html.replace(/^\s+/, "");
    return (start > 0 ? "…" : "") + html + (end < item.chars.length ? "…" : "");
  }

  function publicResult(item, query, score, tier) {
    var meta = {};
    Object.keys(item.meta).forEach(function (k) { if (INTERNAL_META.indexOf(k) < 0) meta[k] = item.meta[k]; });
    var cats = item.filters.category;
    return {
      url: item.url, title: item.title, date: meta.date || "", category: cats[cats.length - 1] || "",
      categories: cats.slice(), department: item.filters.department[0] || "", year: item.filters.year[0] || "",
      index_no: meta.index_no || "", doc_no: meta.doc_no || "", excerpt: excerpt(item, query),
      score: score, tier: tier, meta: meta,
    };
  }

  // ------------------------------------------------------------ filters

  function wantedFilters(filters) {
    var wanted = {};
    FACETS.forEach(function (facet) {
      var value = filters && filters[facet];
      if (value === undefined || value === null || value === "") return;
      value = String(value);
      if (facet === "category") {
        var byCode = (CONFIG.categories || []).find(function (c) { return c.code === value; });
        if (byCode) value = byCode.name;
      }
      wanted[facet] = value;
    });
    return wanted;
  }

  function passes(item, wanted, except) {
    return FACETS.every(function (facet) {
      return facet === except || !(facet in wanted) || item.filters[facet].indexOf(wanted[facet]) >= 0;
    });
  }

  function countFacets(items, wanted) {
    var counts = { category: {}, department: {}, year: {} };
    items.forEach(function (item) {
      FACETS.forEach(function (facet) {
        if (!passes(item, wanted, facet)) return;
        item.filters[facet].forEach(function (v) { counts[facet][v] = (counts[facet][v] || 0) + 1; });
      });
    });
    return counts;
  }

  function pagefindFilters(wanted) {
    var out = {};
    Object.keys(wanted).forEach(function (k) { out[k] = wanted[k]; });
    return out;
  }

  // ------------------------------------------------------------ siteSearch

  function byRank(sort) {
    return function (a, b) {            // by date: newest first, whatever matched; else the tiers first
      if (sort === "date" && a.date !== b.date) return a.date < b.date ? 1 : -1;
      if (a.tier !== b.tier) return a.tier - b.tier;
      if (a.score !== b.score) return b.score - a.score;
      if (a.date !== b.date) return a.date < b.date ? 1 : -1;
      return a.url < b.url ? -1 : a.url > b.url ? 1 : 0;
    };
  }

  function finish(list, offset, limit, total, facets, approximate) {
    var out = list.slice(offset, limit === Infinity ? undefined : offset + limit);
    out.total = total;
    out.facets = facets;
    out.approximate = approximate;
    return out;
  }

  function siteSearch(query, options) {
    options = options || {};
    var sort = options.sort === "date" ? "date" : "relevance";
    var offset = Math.max(0, options.offset | 0);
    var limit = options.limit > 0 ? options.limit : Infinity;
    var wanted = wantedFilters(options.filters);
    return Promise.all([loadPagefind(), loadMap()]).then(function (loaded) {
      var pf = loaded[0], map = loaded[1];
      var q = parseQuery(query, map);
      if (!q.text) return browse(pf, map, q, wanted, offset, limit);
      var textKeys = [].concat.apply([], q.terms.map(termKeys));
      var loose = [].concat.apply([], q.terms.map(function (t) { return looseKeys(t, false); }));
      if (!loose.length) loose = [].concat.apply([], q.terms.map(function (t) { return looseKeys(t, true); }));
      loose = loose.join(" ");
      var searches = [
        textKeys.length ? pf.search(textKeys.join(" ")) : null,
        q.pinyin ? pf.search(q.pinyin.slice(0, PINYIN_CAP)) : null,
        pf.search(fnvKey(q.text)),
        loose && loose !== textKeys.join(" ") ? pf.search(loose) : null,
      ];
      return Promise.all(searches).then(function (found) {
        var list = merged(found);
        // the loose keys' candidates (a superset) only while all can be checked; else the words as typed
        if (list.length > FULL_LIMIT && found[3]) list = merged(found.slice(0, 3));
        if (list.length > FULL_LIMIT) return large(pf, map, q, wanted, sort, offset, limit, textKeys, found[2]);
        return Promise.all(list.map(function (r) { return r.data(); })).then(function (datas) {
          var checked = [];
          datas.forEach(function (data, i) {
            var item = prepare(data, map), tier = judge(item, q);
            if (tier !== null) checked.push({ item: item, tier: tier, score: list[i].score });
          });
          var facets = countFacets(checked.map(function (c) { return c.item; }), wanted);
          var results = checked.filter(function (c) { return passes(c.item, wanted); })
            .map(function (c) { return publicResult(c.item, q, c.score, c.tier); })
            .sort(byRank(sort));
          return finish(results, offset, limit, results.length, facets, false);
        });
      });
    });
  }

  /** The results of several searches, each page once (its best score), best first. */
  function merged(found) {
    var candidates = new Map();
    found.forEach(function (search) {
      (search ? search.results : []).forEach(function (r) {
        var had = candidates.get(r.id);
        if (!had || had.score < r.score) candidates.set(r.id, r);
      });
    });
    return Array.from(candidates.values()).sort(function (a, b) { return b.score - a.score; });
  }

  /** The exact-title keys of the titles whose short name a query may be (prefix + query). */
  function shortNameKeys(q) {
    if (!q.form || q.pinyin) return [];
    var keys = new Set([""].concat(PREFIXES).map(function (prefix) { return fnvKey(prefix + q.form); }));
    keys.delete(fnvKey(q.text));
    return Array.from(keys);
  }

  /** No query: the pages of the chosen filters, newest first (Pagefind's counts are exact here). */
  function browse(pf, map, q, wanted, offset, limit) {
    if (!Object.keys(wanted).length) return finish([], 0, limit, 0, null, false);
    return pf.search(null, { filters: pagefindFilters(wanted), sort: { date: "desc" } }).then(function (search) {
      var slice = search.results.slice(offset, limit === Infinity ? undefined : offset + limit);
      return Promise.all(slice.map(function (r) { return r.data(); })).then(function (datas) {
        var results = datas.map(function (d) { return publicResult(prepare(d, map), q, 0, 3); });
        var out = finish(results, 0, Infinity, search.results.length, search.filters, false);
        return out;
      });
    });
  }

  /** Too many candidates to check each: Pagefind filters and sorts; the shown slice is checked. Exact
   *  titles, 索引号, 文号 come first, then the titles of which the query is the short name. */
  function large(pf, map, q, wanted, sort, offset, limit, textKeys, exactSearch) {
    var opts = { filters: pagefindFilters(wanted) };
    if (sort === "date") opts.sort = { date: "desc" };
    var main = textKeys.length ? textKeys.join(" ") : q.pinyin.slice(0, PINYIN_CAP);
    var searches = [pf.search(main, opts)].concat(shortNameKeys(q).map(function (key) { return pf.search(key); }));
    return Promise.all(searches).then(function (found) {
      var search = found[0], ordered = [], ids = new Set();
      [exactSearch].concat(found.slice(1), [search]).forEach(function (s) {
        s.results.forEach(function (r) { if (!ids.has(r.id)) { ids.add(r.id); ordered.push(r); } });
      });
      var end = limit === Infinity ? Math.min(ordered.length, offset + 50) : offset + limit;
      var slice = ordered.slice(offset, end);
      return Promise.all([search.counts()].concat(slice.map(function (r) { return r.data(); }))).then(function (got) {
        var results = [];
        got.slice(1).forEach(function (data, i) {
          var item = prepare(data, map), tier = judge(item, q);
          if (tier !== null && passes(item, wanted)) results.push(publicResult(item, q, slice[i].score, tier));
        });
        return finish(results, 0, Infinity, ordered.length, got[0], true);
      });
    });
  }

  window.siteSearch = siteSearch;

  // ------------------------------------------------------------ the /search/ page

  function setupPage(root) {
    var form = root.querySelector(".search-form");
    var input = root.querySelector("#search-q");
    var sortSelect = root.querySelector("#search-sort");
    var status = root.querySelector("#search-status");
    var list = root.querySelector("#search-results");
    var pager = root.querySelector("#search-pager");
    var state = { q: "", category: "", department: "", year: "", sort: "relevance", page: 1 };
    var runId = 0, timer = null;

    var params = new URLSearchParams(location.search);
    Object.keys(state).forEach(function (k) { if (params.get(k)) state[k] = params.get(k); });
    state.page = Math.max(1, parseInt(state.page, 10) || 1);
    input.value = state.q;
    sortSelect.value = state.sort === "date" ? "date" : "relevance";
    FACETS.forEach(function (facet) {
      var value = state[facet];
      var byName = facet === "category" && (CONFIG.categories || []).find(function (c) { return c.name === value; });
      if (byName) state.category = value = byName.code;
      var radio = root.querySelector('input[name="' + facet + '"][value="' + CSS.escape(value) + '"]');
      if (radio) radio.checked = true; else state[facet] = "";
    });

    function categoryName(code) {
      var c = (CONFIG.categories || []).find(function (x) { return x.code === code; });
      return c ? c.name : code;
    }

    function remember() {
      var p = new URLSearchParams();
      Object.keys(state).forEach(function (k) {
        if (state[k] && !(k === "sort" && state[k] === "relevance") && !(k === "page" && state[k] === 1)) p.set(k, state[k]);
      });
      var qs = p.toString();
      history.replaceState(null, "", qs ? "?" + qs : location.pathname);
    }

    function showCounts(facets) {
      root.querySelectorAll("[data-count-for]").forEach(function (el) {
        var parts = el.getAttribute("data-count-for").split(":");
        var facet = parts.shift(), value = parts.join(":");
        var n = facets && facets[facet] ? (facets[facet][value] || 0) : null;
        el.textContent = n === null ? "" : String(n);
        var label = el.closest("label");
        if (label) label.classList.toggle("zero", n === 0);
      });
    }

    function renderPager(total) {
      var pages = Math.ceil(total / PAGE_SIZE);
      pager.innerHTML = "";
      pager.hidden = pages <= 1;
      if (pages <= 1) return;
      function button(label, page, current, aria) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = label;
        if (aria) b.setAttribute("aria-label", aria);
        if (current) b.setAttribute("aria-current", "page");
        b.disabled = page < 1 || page > pages;
        b.addEventListener("click", function () { state.page = page; run(true); });
        pager.appendChild(b);
      }
      button("上一页", state.page - 1, false);
      var from = Math.max(1, state.page - 4), to = Math.min(pages, from + 8);
      for (var p = from; p <= to; p++) button(String(p), p, p === state.page, "第 " + p + " 页");
      button("下一页", state.page + 1, false);
    }

    function render(results, focusStatus) {
      list.innerHTML = "";
      results.forEach(function (r) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = new URL(r.url.replace(/^\//, ""), ROOT).href;
        a.textContent = r.title;
        var h = document.createElement("h2");
        h.appendChild(a);
        var meta = document.createElement("p");
        meta.className = "result-meta";
        [r.category, r.date, r.index_no ? "索引号 " + r.index_no : "", r.doc_no].forEach(function (text) {
          if (!text) return;
          var span = document.createElement("span");
          span.textContent = text;
          meta.appendChild(span);
        });
        var ex = document.createElement("p");
        ex.className = "excerpt";
        ex.innerHTML = r.excerpt;           // escaped in excerpt(); only <mark> is markup
        li.append(h, meta, ex);
        list.appendChild(li);
      });
      var chosen = FACETS.filter(function (f) { return state[f]; }).map(function (f) {
        return f === "category" ? categoryName(state.category) : f === "year" ? state.year + " 年" : state[f];
      });
      var scope = chosen.length ? "（" + chosen.join("，") + "）" : "";
      var pages = Math.ceil(results.total / PAGE_SIZE);
      if (!state.q && !chosen.length) {
        status.textContent = "请输入搜索词，或选择分类、机构、年份浏览。";
      } else if (!results.total) {
        status.textContent = (state.q ? "没有找到与“" + state.q + "”相关的信息" : "没有符合条件的信息") + scope +
          "。可以换个词、改用拼音首字母，或减少筛选条件。";
      } else {
        status.textContent = (state.q ? "“" + state.q + "”" : "") + scope + (results.approximate ? "约 " : "共 ") +
          results.total + " 条结果" + (pages > 1 ? "，第 " + state.page + "/" + pages + " 页" : "") + "。";
      }
      renderPager(results.total);
      if (focusStatus) status.focus();
    }

    function run(focusStatus) {
      var id = ++runId;
      remember();
      var filters = { category: state.category, department: state.department, year: state.year };
      root.setAttribute("aria-busy", "true");
      return siteSearch(state.q, { filters: filters, sort: state.sort, offset: (state.page - 1) * PAGE_SIZE,
                                   limit: PAGE_SIZE })
        .then(function (results) {
          if (id !== runId) return;
          if (results.total && !results.length && state.page > 1) { state.page = 1; return run(focusStatus); }
          if (results.facets) showCounts(results.facets);
          else initialCounts();
          render(results, focusStatus);
        })
        .catch(function (err) {
          if (id !== runId) return;
          status.textContent = "搜索暂时不可用（" + (err && err.message || err) + "）。请稍后再试，或从首页目录浏览。";
        })
        .finally(function () { if (id === runId) root.removeAttribute("aria-busy"); });
    }

    function initialCounts() {
      loadPagefind().then(function (pf) { return pf.filters(); }).then(showCounts).catch(function () {});
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.q = input.value.trim(); state.page = 1; run(false); }, 200);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && input.value) { e.preventDefault(); input.value = ""; state.q = ""; state.page = 1; run(false); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearTimeout(timer);
      state.q = input.value.trim();
      state.page = 1;
      run(true);
    });
    root.querySelectorAll(".facets input[type=radio]").forEach(function (radio) {
      radio.addEventListener("change", function () { state[radio.name] = radio.value; state.page = 1; run(false); });
    });
    sortSelect.addEventListener("change", function () { state.sort = sortSelect.value; state.page = 1; run(false); });
    document.addEventListener("keydown", function (e) {
      var t = e.target;
      if (e.key === "/" && !(t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement)) {
        e.preventDefault();
        input.focus();
        input.select();
      }
    });
    run(false);
    if (!state.q) input.focus();
  }

  function start() {
    var root = document.getElementById("search");
    if (root) setupPage(root);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
