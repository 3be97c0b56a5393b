// Boundary maps for the trends page: register the uploaded GeoJSON, then draw the option (no inline scripts: CSP).
(function () {
  "use strict";
  function drawMaps() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-stats-map]").forEach(function (el) {
      if (el.dataset.mapReady) return;
      var opt = document.getElementById(el.dataset.statsMap);
      var geo = document.getElementById(el.dataset.geo);
      if (!opt || !geo) return;
      window.echarts.registerMap(el.dataset.mapName, JSON.parse(geo.textContent));
      var chart = window.echarts.init(el);
      chart.setOption(JSON.parse(opt.textContent));
      el.dataset.mapReady = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", drawMaps);
})();
