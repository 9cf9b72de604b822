// Preview only (served by `build.py serve`, never part of a build): reload on rebuild,
// and show an overlay naming file, line and field while the content has errors.
(function () {
  "use strict";
  var OVERLAY = "zwgk-preview-overlay";

  function show(status) {
    var box = document.getElementById(OVERLAY);
    if (!status.errors.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = OVERLAY;
      box.setAttribute("role", "alertdialog");
      box.setAttribute("aria-label", "内容有错误");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
        "background:#2b0b0b;color:#fff;font:16px/1.6 monospace;padding:16px 20px;border-top:6px solid #e5484d;";
      document.body.appendChild(box);
    }
    box.textContent = "";
    var h = document.createElement("strong");
    h.textContent = "内容有错误，下面仍是上次成功生成的页面。改正后保存即可自动刷新：";
    box.appendChild(h);
    var list = document.createElement("ul");
    status.errors.forEach(function (e) {
      var li = document.createElement("li");
      li.className = "preview-error";
      li.textContent = e.text;
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  // A build finished while this page was loading, or while the stream was down (the server was
  // restarted): the stream only tells of builds after it connects, so compare with the status.
  var script = document.currentScript;
  var seen = script && script.getAttribute("data-build") || null;
  function check() {
    fetch("/__preview/status", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (s) {
      var key = s.session + ":" + s.version;
      if (seen !== null && key !== seen && s.ok) { window.location.reload(); return; }
      seen = key;
      show(s);
    }).catch(function () { /* the server is stopped: the stream retries, and checks again */ });
  }
  function connect() {
    var source = new EventSource("/__preview/events");
    source.addEventListener("open", check);
    source.addEventListener("build", function (event) {
      var status = JSON.parse(event.data);
      seen = status.session + ":" + status.version;
      if (status.ok) {
        window.location.reload();
      } else {
        show(status);
      }
    });
    source.addEventListener("error", function () {
      // a refused stream (503 when the server is busy) is not retried by the browser: retry here
      if (source.readyState === EventSource.CLOSED) { setTimeout(connect, 2000); }
    });
  }
  connect();
})();
