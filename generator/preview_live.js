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

  var version = null;
  fetch("/__preview/status").then(function (r) { return r.json(); }).then(function (s) {
    version = s.version;
    show(s);
  });
  var source = new EventSource("/__preview/events");
  source.addEventListener("build", function (event) {
    var status = JSON.parse(event.data);
    if (status.ok) {
      window.location.reload();
    } else {
      show(status);
    }
  });
})();
