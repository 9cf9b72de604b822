/* 无障碍 / 长者模式 (website, intranet). Loaded in <head> without defer, so the remembered mode is set on
   <html> before the page is drawn (no flash of small text). Modes, kept in localStorage under KEY and so
   remembered across the pages of the site: "" (standard), "elder" (长者模式: 24 px text, high contrast,
   60×60 px targets) and "xl" (长者模式 with 特大字号, 40 px = 30 pt). The CSS is in site.css (html.elder).
   Without JavaScript the toolbar stays hidden; the pages read the same, at the browser's own text size. */
(function () {
  "use strict";
  var KEY = "zwgk-a11y";
  var MODES = { "": true, elder: true, xl: true };
  var root = document.documentElement;

  function read() {
    var mode = "";
    try { mode = window.localStorage.getItem(KEY) || ""; } catch (e) { /* storage blocked: standard mode */ }
    return MODES[mode] === true ? mode : "";
  }

  function write(mode) {
    try {
      if (mode) window.localStorage.setItem(KEY, mode); else window.localStorage.removeItem(KEY);
    } catch (e) { /* storage blocked: the mode lasts for this page only */ }
  }

  function apply(mode) {
    root.classList.toggle("elder", mode !== "");
    root.classList.toggle("elder-xl", mode === "xl");
    var buttons = document.querySelectorAll("[data-a11y]");
    for (var i = 0; i < buttons.length; i++) {
      var b = buttons[i];
      b.setAttribute("aria-pressed", String(b.getAttribute("data-a11y") === "elder" ? mode !== "" : mode === "xl"));
    }
  }

  // the next mode when a button is pressed: 长者模式 switches the whole mode; 特大字号 switches the size
  function next(mode, button) {
    if (button === "elder") return mode ? "" : "elder";
    return mode === "xl" ? "elder" : "xl";
  }

  apply(read());

  function ready() {
    var bar = document.getElementById("a11y-bar");
    if (bar) {
      bar.hidden = false;
      bar.addEventListener("click", function (e) {
        var button = e.target.closest ? e.target.closest("[data-a11y]") : null;
        if (!button) return;
        var mode = next(read(), button.getAttribute("data-a11y"));
        write(mode);
        apply(mode);
      });
    }
    apply(read());
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready); else ready();

  // another tab of the site changed the mode
  window.addEventListener("storage", function (e) { if (e.key === KEY) apply(read()); });

  // printing: where the page has no absolute address of its own (intranet), print the one in the address bar
  window.addEventListener("beforeprint", function () {
    var spans = document.querySelectorAll("[data-print-url='']");
    for (var i = 0; i < spans.length; i++) spans[i].textContent = window.location.href;
  });
})();
