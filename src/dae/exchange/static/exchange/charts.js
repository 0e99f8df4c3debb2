// The chart of open reconciliation differences per month, drawn from the JSON the page embeds (json_script
// "differences-chart-data"). Counts arrive as numbers and are shown as they are; nothing is computed here.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("differences-chart-data");
  var holder = document.getElementById("differences-chart");
  if (!source || !holder || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {top: 0},
    grid: {left: 40, right: 20, top: 36, bottom: 30},
    xAxis: {type: "category", data: data.months},
    yAxis: {type: "value", minInterval: 1},
    series: [
      {name: data.names.total, type: "bar", data: data.total, itemStyle: {color: "#adb5bd"}},
      {name: data.names.open, type: "bar", data: data.open, itemStyle: {color: "#dc3545"}}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
