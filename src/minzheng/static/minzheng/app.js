// minzheng shell behaviour. No inline scripts anywhere (CSP): pages declare data-* attributes instead.
(function () {
  "use strict";
  function initCharts(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.chartReady) return;
      var src = document.getElementById(el.dataset.chart);
      if (!src) return;
      var chart = window.echarts.init(el);
      chart.setOption(JSON.parse(src.textContent));
      el.dataset.chartReady = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  function confirmForms(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (f) {
      if (f.dataset.confirmReady) return;
      f.dataset.confirmReady = "1";
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.dataset.confirm)) e.preventDefault();
      });
    });
    // a form with several actions asks only for the grave one (报送, 终止): the button carries the question
    root.querySelectorAll("button[data-confirm]").forEach(function (b) {
      if (b.dataset.confirmReady) return;
      b.dataset.confirmReady = "1";
      b.addEventListener("click", function (e) {
        if (!window.confirm(b.dataset.confirm)) e.preventDefault();
      });
    });
  }
  function printButtons(root) {
    root.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }
  // 树形选择: a search box over a division select; matches name, township or pinyin (initials or full).
  function divisionPickers(root) {
    root.querySelectorAll("select.division-picker").forEach(function (sel) {
      if (sel.dataset.pickerReady) return;
      sel.dataset.pickerReady = "1";
      var box = document.createElement("input");
      box.type = "search";
      box.className = "division-search";
      box.placeholder = "输入名称或拼音首字母筛选";
      box.setAttribute("aria-label", "筛选区划");
      sel.parentNode.insertBefore(box, sel);
      box.addEventListener("input", function () {
        var q = box.value.trim().toLowerCase();
        var first = null;
        Array.prototype.forEach.call(sel.options, function (o) {
          var hit = !q || !o.value || (o.dataset.search || o.text).toLowerCase().indexOf(q) >= 0;
          o.hidden = !hit;
          if (hit && o.value && !first) first = o;
        });
        if (first && !sel.multiple && (!sel.value || sel.selectedOptions[0].hidden)) sel.value = first.value;
      });
    });
  }
  function init(root) { initCharts(root); confirmForms(root); printButtons(root); divisionPickers(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
  // Send the CSRF token with every htmx request.
  document.addEventListener("htmx:configRequest", function (e) {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (m) e.detail.headers["X-CSRFToken"] = decodeURIComponent(m[1]);
  });
})();
