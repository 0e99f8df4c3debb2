// Draws the home dashboard bar chart from the JSON the page embeds (no inline script needed).
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("home-chart");
  var source = document.getElementById("home-chart-data");
  if (!holder || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: {trigger: "axis"},
    grid: {left: 60, right: 20, top: 20, bottom: 30},
    xAxis: {type: "category", data: data.labels},
    yAxis: {type: "value"},
    series: [{type: "bar", data: data.values, itemStyle: {color: "#0d6efd"}}]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
