// Forecast charts: each holder names the JSON its page embeds (json_script) in data-source. Numbers arrive as
// strings and are drawn as they are, never computed with here: the actual months, the forecast and its 95% band
// (drawn as the lower bound plus the band's width, both computed on the server).
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) { return; }
  document.querySelectorAll(".forecast-chart").forEach(function (holder) {
    var source = document.getElementById(holder.dataset.source);
    if (!source) { return; }
    var d = JSON.parse(source.textContent);
    var chart = echarts.init(holder);
    chart.setOption({
      tooltip: {trigger: "axis"},
      legend: {top: 0, data: [d.names.history, d.names.mean, d.names.band]},
      grid: {left: 70, right: 20, top: 30, bottom: 30},
      xAxis: {type: "category", data: d.months},
      yAxis: {type: "value", scale: true},
      series: [
        {name: d.names.band, type: "line", data: d.lo95, stack: "band", symbol: "none", lineStyle: {opacity: 0}},
        {name: d.names.band, type: "line", data: d.width, stack: "band", symbol: "none", lineStyle: {opacity: 0},
         areaStyle: {color: "rgba(13,110,253,0.15)"}},
        {name: d.names.history, type: "line", data: d.history, itemStyle: {color: "#212529"}},
        {name: d.names.mean, type: "line", data: d.mean, lineStyle: {type: "dashed"}, itemStyle: {color: "#0d6efd"}}
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });

  var sim = document.getElementById("sim-chart-data");
  var simHolder = document.getElementById("sim-chart");
  if (sim && simHolder) {
    var data = JSON.parse(sim.textContent);
    var simChart = echarts.init(simHolder);
    simChart.setOption({
      tooltip: {trigger: "axis"}, grid: {left: 50, right: 20, top: 20, bottom: 30},
      xAxis: {type: "category", data: data.labels}, yAxis: {type: "value"},
      series: [{name: data.name, type: "bar", data: data.values, itemStyle: {color: "#0d6efd"}}]
    });
    window.addEventListener("resize", function () { simChart.resize(); });
  }
});
