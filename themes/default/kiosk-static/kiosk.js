/* 电子触摸屏：touch behaviour of every kiosk page, offline, no keyboard.
 *
 * - the toolbar: 返回 (history when there is one, else the parent page), 字号 (three sizes), 上翻/下翻;
 * - no text selection, context menu or dragging;
 * - after [kiosk] idle_seconds without a touch: back to the home screen, search and font size cleared;
 *   a fresh load through the folder's `current`, so a release switched by kiosk-sync shows from then on.
 *   The time can be shortened for tests or trials: window.KIOSK_IDLE_SECONDS set before this script
 *   runs, or ?idle=N on any page's address (kept for the rest of the browser session);
 * - on the search screen: the on-screen keyboard, results updated at every key;
 * - this build's version (内容更新于 …, from kiosk-config.js) and, when it is older than [kiosk] stale_days
 *   on the kiosk's own clock, a notice asking staff to update the kiosk;
 * - expiry on the device: an item whose expiry_date has passed on the kiosk's clock disappears — its page
 *   shows 本条信息已失效, its rows (listings, latest items, 上一篇/下一篇) are hidden and the counts drop.
 *   Checked when a page opens and every EXPIRY_CHECK_MS after, since the home screen stays open for days.
 */
(function () {
  "use strict";
  var STORE = {font: "kiosk.font", idle: "kiosk.idle"};
  var FONT_LABELS = ["标准", "大字", "特大"];
  var RESULTS_SHOWN = 50;
  var EXPIRY_CHECK_MS = 30000;
  var DAY_MS = 24 * 3600 * 1000;
  var store = (function () {
    try { var s = window.sessionStorage; s.setItem("kiosk.ok", "1"); return s; } catch (e) { return null; }
  })();
  function load(key) { return store ? store.getItem(key) : null; }
  function save(key, value) { if (store) { value == null ? store.removeItem(key) : store.setItem(key, value); } }

  /* The font size is applied at once, before the page is painted. */
  var font = Math.min(Math.max(parseInt(load(STORE.font) || "0", 10) || 0, 0), FONT_LABELS.length - 1);
  document.documentElement.className += " font-" + font;

  function idleSeconds() {
    var given = Number(window.KIOSK_IDLE_SECONDS);
    if (given > 0) return given;
    var match = /[?&]idle=(\d+(?:\.\d+)?)/.exec(window.location.search);
    if (match && Number(match[1]) > 0) save(STORE.idle, match[1]);
    var remembered = Number(load(STORE.idle));
    if (remembered > 0) return remembered;
    var config = window.KIOSK_CONFIG || {};
    return config.idle_seconds > 0 ? config.idle_seconds : 90;
  }

  function start() {
    var body = document.body;
    var kind = body.getAttribute("data-page");
    var home = body.getAttribute("data-home");                 // the home page, relative, ends in index.html
    var root = home.replace(/index\.html$/, "");

    ["contextmenu", "selectstart", "dragstart"].forEach(function (type) {
      document.addEventListener(type, function (e) { e.preventDefault(); });
    });

    /* --- idle: back to the home screen --- */
    var timer = null, seconds = idleSeconds();
    function poke() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(idle, seconds * 1000);
    }
    /* The kiosk opens DIR/current/index.html and `build.py kiosk-sync` may switch `current` to another
       release meanwhile. The idle return is a fresh load of the home page through that same path
       (location.replace: a new navigation, never the history or the back/forward cache), so it shows
       the release `current` names now. The home screen itself, open for days, asks at each idle return
       whether current's kiosk-config.js has changed and reloads only then. */
    function idle() {
      save(STORE.font, null);
      if (kind === "home") {
        document.documentElement.className = document.documentElement.className.replace(/\bfont-\d\b/, "font-0");
        setFont(0);
        window.scrollTo(0, 0);
        poke();
        whenSwitched(root, function () { window.location.reload(); });
      } else {
        window.location.replace(home);
      }
    }
    ["pointerdown", "touchstart", "keydown", "wheel"].forEach(function (type) {
      document.addEventListener(type, poke, {capture: true, passive: true});
    });
    poke();

    /* --- toolbar --- */
    var fontButton = document.querySelector('[data-action="font"]');
    function setFont(value) {
      font = value;
      var html = document.documentElement;
      html.className = html.className.replace(/\bfont-\d\b/, "font-" + value);
      if (fontButton) fontButton.querySelector(".font-label").textContent = FONT_LABELS[value];
      save(STORE.font, value ? String(value) : null);
      updateScrollButtons();
    }
    var up = document.querySelector('[data-action="up"]'), down = document.querySelector('[data-action="down"]');
    function updateScrollButtons() {
      var top = window.scrollY, max = document.documentElement.scrollHeight - window.innerHeight;
      if (up) up.setAttribute("aria-disabled", top <= 2 ? "true" : "false");
      if (down) down.setAttribute("aria-disabled", top >= max - 2 ? "true" : "false");
    }
    function page(direction) {
      window.scrollBy({top: direction * Math.round(window.innerHeight * 0.6), behavior: "smooth"});
    }
    document.addEventListener("click", function (e) {
      var control = e.target.closest("[data-action]");
      if (!control) return;
      var action = control.getAttribute("data-action");
      if (action === "back") {
        if (window.history.length > 1) { e.preventDefault(); window.history.back(); }
      } else if (action === "font") {
        setFont((font + 1) % FONT_LABELS.length);
      } else if (action === "up") {
        page(-1);
      } else if (action === "down") {
        page(1);
      }
    });
    window.addEventListener("scroll", updateScrollButtons, {passive: true});
    window.addEventListener("resize", updateScrollButtons);
    setFont(font);

    if (kind === "search") searchScreen(root);
    keepCurrent(home);
  }

  /* Calls `then` when the folder's static/kiosk-config.js (read anew: a unique query, no cache) is not
     the one this page was built with: kiosk-sync has switched `current`. This page's settings stay. */
  function whenSwitched(root, then) {
    var mine = window.KIOSK_CONFIG || {};
    var probe = document.createElement("script");
    function done() {
      var seen = window.KIOSK_CONFIG;
      window.KIOSK_CONFIG = mine;
      if (probe.parentNode) probe.parentNode.removeChild(probe);
      return seen;
    }
    probe.onload = function () {
      var seen = done();
      if (seen && JSON.stringify(seen) !== JSON.stringify(mine)) then();
    };
    probe.onerror = done;
    probe.src = root + "static/kiosk-config.js?release=" + Date.now() + "-" + Math.random().toString(36).slice(2);
    document.head.appendChild(probe);
  }

  /* --- the build's version, staleness and expiry, on the kiosk's own clock --- */
  function moment(text) {
    var value = text ? Date.parse(text) : NaN;
    return isNaN(value) ? null : value;
  }

  function keepCurrent(home) {
    var config = window.KIOSK_CONFIG || {};
    var rootUrl = new URL(home, window.location.href).href.replace(/index\.html$/, "");
    var built = moment(config.built);
    var staleDays = config.stale_days > 0 ? config.stale_days : 7;
    var expiries = [];                                     // [{url, at, folder}]
    Object.keys(config.expires || {}).forEach(function (url) {
      var at = moment(config.expires[url][0]);
      if (at !== null) expiries.push({url: url, at: at, folder: config.expires[url][1]});
    });
    var stamp = document.getElementById("kiosk-version");
    if (stamp && config.built_label) stamp.textContent = "内容更新于 " + config.built_label;

    /* A link's path inside the output folder ("/quanli/xuke/2026-00002/"), or null outside it. */
    function pathOf(href) {
      var target = new URL(href, window.location.href);
      var full = target.href.split("#")[0].split("?")[0];
      if (full.indexOf(rootUrl) !== 0) return null;
      return "/" + full.slice(rootUrl.length).replace(/index\.html$/, "");
    }
    function mark(element, gone) {
      if (gone) { element.hidden = true; element.classList.add("expired"); }
      else if (element.classList.contains("expired")) { element.hidden = false; element.classList.remove("expired"); }
    }
    /* How many expired items a count of `url` held: a category counts the items below its folder,
       the home page all of them, a department page its department's. */
    function expiredUnder(url, gone) {
      var dept = /^\/departments\/([^\/]+)\/$/.exec(url);
      return gone.filter(function (e) { return dept ? e.folder === dept[1] : e.url.indexOf(url) === 0; }).length;
    }
    function recount(element, url, gone) {
      if (!element.hasAttribute("data-count-shown")) element.setAttribute("data-count-shown", element.textContent);
      var shown = element.getAttribute("data-count-shown");
      var number = /\d+/.exec(shown);
      if (!number) return;
      element.textContent = shown.replace(/\d+/, String(Math.max(0, Number(number[0]) - expiredUnder(url, gone))));
    }

    function check() {
      var now = Date.now();
      var notice = document.getElementById("kiosk-stale");
      if (notice) {
        var stale = built !== null && now - built > staleDays * DAY_MS;
        notice.textContent = stale ? "内容已超过 " + staleDays + " 天未更新，请联系办公室更新触摸屏内容" : "";
        notice.hidden = !stale;
      }
      var gone = expiries.filter(function (e) { return now >= e.at; });
      var goneUrls = {};
      gone.forEach(function (e) { goneUrls[e.url] = true; });

      var record = document.querySelector("article.record[data-expires]");
      var own = record ? moment(record.getAttribute("data-expires")) : null;
      if (record && (goneUrls[pathOf(window.location.href)] || (own !== null && now >= own))) {
        expiredPage(record);
        return;
      }
      var main = document.getElementById("main");
      if (!main) return;
      Array.prototype.forEach.call(main.querySelectorAll("a[href]"), function (a) {
        var path = pathOf(a.getAttribute("href"));
        var row = a.closest("li") || a;
        mark(row, path !== null && goneUrls[path] === true);
        var count = a.querySelector(".tile-count");
        if (count && path !== null) recount(count, path, gone);
      });
      Array.prototype.forEach.call(main.querySelectorAll("[data-count-for]"), function (element) {
        recount(element, element.getAttribute("data-count-for"), gone);
      });
      Array.prototype.forEach.call(main.querySelectorAll("ol.rows:not(#results)"), function (list) {
        var left = Array.prototype.some.call(list.children, function (li) { return !li.hidden; });
        var empty = list.nextElementSibling && list.nextElementSibling.classList.contains("expired-empty")
          ? list.nextElementSibling : null;
        if (!left && !empty && list.children.length) {
          empty = document.createElement("p");
          empty.className = "empty expired-empty";
          empty.textContent = "暂无公开信息。";
          list.parentNode.insertBefore(empty, list.nextSibling);
        } else if (left && empty) {
          empty.parentNode.removeChild(empty);
        }
      });
    }

    function expiredPage(record) {
      if (document.body.getAttribute("data-expired") === "true") return;
      document.body.setAttribute("data-expired", "true");
      var box = document.createElement("section");
      box.className = "expired-notice";
      var title = document.createElement("h1");
      title.className = "screen-title";
      title.textContent = "本条信息已失效";
      var text = document.createElement("p");
      text.textContent = "本条信息已过失效日期，不再公开。请返回首页查看其他信息。";
      var back = document.createElement("a");
      back.className = "button";
      back.href = home;
      back.textContent = "返回首页";
      box.appendChild(title);
      box.appendChild(text);
      box.appendChild(back);
      var main = document.getElementById("main");
      main.textContent = "";                               // the record, its crumbs and neighbours go
      main.appendChild(box);
      document.title = "本条信息已失效";
    }

    check();
    window.setInterval(check, EXPIRY_CHECK_MS);
  }

  /* --- the search screen: on-screen keyboard and results --- */
  function searchScreen(root) {
    var display = document.getElementById("query");
    var status = document.getElementById("search-status");
    var list = document.getElementById("results");
    var hint = status.textContent;
    var query = "", asked = 0;
    var match = /[#&]q=([^&]*)/.exec(window.location.hash);
    if (match) query = decodeURIComponent(match[1]).toLowerCase().replace(/[^a-z0-9]/g, "").slice(0, 40);

    function show(results, total) {
      list.textContent = "";
      results.forEach(function (r) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.className = "row";
        a.href = root + r.url.replace(/^\//, "") + "index.html";
        var title = document.createElement("span");
        title.className = "row-title";
        title.textContent = r.title;
        var meta = document.createElement("span");
        meta.className = "row-meta";
        [r.category, r.date, r.index_no].forEach(function (text) {
          var part = document.createElement("span");
          part.textContent = text;
          meta.appendChild(part);
        });
        a.appendChild(title);
        a.appendChild(meta);
        li.appendChild(a);
        list.appendChild(li);
      });
      if (!query) status.textContent = hint;
      else if (!total) status.textContent = "没有找到“" + query.toUpperCase() + "”，请删去几个字母再试。";
      else if (total > results.length) status.textContent = "找到 " + total + " 条，显示最相关的 " + results.length + " 条。";
      else status.textContent = "找到 " + total + " 条。";
    }

    function update() {
      display.textContent = query.toUpperCase();
      window.history.replaceState(null, "", query ? "#q=" + query : window.location.pathname + window.location.search);
      var ask = ++asked;
      if (!query) { show([], 0); return; }
      status.textContent = "正在查找…";
      window.siteSearch(query).then(function (results) {
        if (ask === asked) show(results.slice(0, RESULTS_SHOWN), results.length);
      }, function (error) {
        if (ask === asked) status.textContent = "查找暂时不可用：" + error.message;
      });
    }

    document.getElementById("keyboard").addEventListener("click", function (e) {
      var key = e.target.closest("[data-key]");
      if (!key) return;
      var value = key.getAttribute("data-key");
      if (value === "backspace") query = query.slice(0, -1);
      else if (value === "clear") query = "";
      else if (query.length < 40) query += value;
      update();
    });
    window.siteSearch.preload();
    update();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
