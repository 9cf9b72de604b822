/* 电子触摸屏检索：window.siteSearch(query, options) over the index that build.py writes to
 * kiosk-index.js (window.KIOSK_INDEX). Works from file:// with no network: the index is a plain
 * script, loaded on first use by a <script> element beside this file.
 *
 * Contract (SPEC, the same as the website's search page): siteSearch(query, {filters: {category,
 * department, year}}) returns a Promise of ranked results [{url, title, …}], url being the page's
 * path inside the output folder ("/quanli/xuke/2026-00001/").
 *
 * Matching: the query as typed (Chinese or Latin, case-insensitive) against the text; its letters and
 * digits against the full pinyin and the pinyin initials (xzxk, xingzhengxuke -> 行政许可) and the
 * 索引号's digits. Ranking: 0 exact title or 索引号, 1 title starts with it, 2 title contains it,
 * 3 another field (summary, keywords, category, department, 索引号); ties keep the index order,
 * newest first. Several words separated by spaces must all match.
 *
 * An item whose expiry_date (the index's "expires") has passed on the kiosk's own clock is never found:
 * the kiosk may go on showing one build for days.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? script.src.replace(/[^\/]*$/, "") : "";   // .../static/
  var loading = null;
  var prepared = null;

  function loadIndex() {
    if (window.KIOSK_INDEX) return Promise.resolve(window.KIOSK_INDEX);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = base + "kiosk-index.js";
        tag.onload = function () { window.KIOSK_INDEX ? resolve(window.KIOSK_INDEX) : reject(new Error("检索索引为空")); };
        tag.onerror = function () { loading = null; reject(new Error("未能读取检索索引 kiosk-index.js")); };
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function alnum(text) { return String(text).toLowerCase().replace(/[^a-z0-9]+/g, ""); }
  /* The letters and digits of a query typed in Latin (pinyin, 索引号); "" when it holds Chinese, which
     matches the text itself only. */
  function keyOf(text) { return /^[\x20-\x7e]*$/.test(text) ? alnum(text) : ""; }
  function plain(text) { return String(text).toLowerCase().replace(/\s+/g, " ").trim(); }

  function prepare(index) {
    if (prepared && prepared.index === index) return prepared;
    var f = {};
    index.fields.forEach(function (name, i) { f[name] = i; });
    var categories = index.categories.map(function (c) {
      return {code: c[0], name: c[1], py: c[2], ini: c[3]};
    });
    var byCode = {};
    categories.forEach(function (c) { byCode[c.code] = c; });
    var departments = index.departments.map(function (d) {
      return {folder: d[0], name: d[1], py: d[2], ini: d[3]};
    });
    var records = index.items.map(function (row, order) {
      var category = categories[row[f.category]];
      var lineage = [];
      for (var cut = 2; cut <= category.code.length; cut += 2) {
        if (byCode[category.code.slice(0, cut)]) lineage.push(byCode[category.code.slice(0, cut)]);
      }
      var department = departments[row[f.department]];
      var indexNo = row[f.index_no];
      var serial = indexNo.split("/").pop();                      // 2026-00001
      var others = [row[f.summary]].concat(row[f.keywords], lineage.map(function (c) { return c.name; }),
                                           [department.name]);
      var expires = row[f.expires] ? Date.parse(row[f.expires]) : NaN;
      return {
        order: order, expires: isNaN(expires) ? null : expires,
        url: row[f.url], title: row[f.title], index_no: indexNo, date: row[f.date],
        year: row[f.date].slice(0, 4), summary: row[f.summary], keywords: row[f.keywords],
        category: category, lineage: lineage, department: department,
        titleText: plain(row[f.title]), titlePy: row[f.title_py], titleIni: row[f.title_ini],
        indexDigits: alnum(indexNo), serialDigits: alnum(serial),
        otherText: plain(others.join("|")),
        otherPy: [row[f.text_py]].concat(lineage.map(function (c) { return c.py; }), [department.py]).join("|"),
        otherIni: [row[f.text_ini]].concat(lineage.map(function (c) { return c.ini; }), [department.ini]).join("|")
      };
    });
    prepared = {index: index, records: records, categories: categories, departments: departments};
    return prepared;
  }

  /* The rank of one word in a record: 1, 2, 3, or -1 for no match. */
  function rankWord(r, word) {
    var text = plain(word), key = keyOf(text);
    if (r.titleText.indexOf(text) === 0 || (key && (r.titlePy.indexOf(key) === 0 || r.titleIni.indexOf(key) === 0))) return 1;
    if (r.titleText.indexOf(text) > 0 || (key && (r.titlePy.indexOf(key) > 0 || r.titleIni.indexOf(key) > 0))) return 2;
    if (r.otherText.indexOf(text) >= 0 || r.index_no.indexOf(text) >= 0) return 3;
    if (key && (r.otherPy.indexOf(key) >= 0 || r.otherIni.indexOf(key) >= 0 || r.indexDigits.indexOf(key) >= 0)) return 3;
    return -1;
  }

  function rank(r, query) {
    var text = plain(query), key = keyOf(text);
    if (r.titleText === text || r.index_no.toLowerCase() === text) return 0;
    if (key && (r.titlePy === key || r.titleIni === key || r.indexDigits === key || r.serialDigits === key)) return 0;
    var words = text.split(" "), worst = 0;
    for (var i = 0; i < words.length; i++) {
      var rankOfWord = rankWord(r, words[i]);
      if (rankOfWord < 0) return -1;
      worst = Math.max(worst, rankOfWord);
    }
    return worst;
  }

  function admits(r, filters) {
    if (!filters) return true;
    if (filters.category != null && filters.category !== "") {
      var wanted = String(filters.category);
      var hit = r.lineage.some(function (c) { return c.code === wanted || c.name === wanted; });
      if (!hit) return false;
    }
    if (filters.department != null && filters.department !== "") {
      var d = String(filters.department);
      if (r.department.name !== d && r.department.folder !== d) return false;
    }
    if (filters.year != null && filters.year !== "" && r.year !== String(filters.year)) return false;
    return true;
  }

  function result(r, rankValue) {
    return {
      url: r.url, title: r.title, index_no: r.index_no, date: r.date, year: r.year,
      category: r.category.name, category_code: r.category.code, department: r.department.name,
      summary: r.summary, keywords: r.keywords.slice(), rank: rankValue
    };
  }

  function search(data, query, options) {
    var filters = (options && options.filters) || null;
    var text = plain(query == null ? "" : query);
    var found = [], now = Date.now();
    data.records.forEach(function (r) {
      if (r.expires !== null && now >= r.expires) return;      // expired on the kiosk's own clock
      if (!admits(r, filters)) return;
      var value = text ? rank(r, text) : (filters ? 3 : -1);
      if (value >= 0) found.push([value, r.order, r]);
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var limit = options && options.limit > 0 ? options.limit : found.length;
    return found.slice(0, limit).map(function (x) { return result(x[2], x[0]); });
  }

  window.siteSearch = function (query, options) {
    return loadIndex().then(function (index) { return search(prepare(index), query, options); });
  };
  /* For the kiosk's own UI: start reading the index before the first key is pressed. */
  window.siteSearch.preload = function () { return loadIndex().then(prepare); };
})();
