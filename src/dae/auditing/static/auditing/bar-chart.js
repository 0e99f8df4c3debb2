// Bar charts of the audit pages, drawn from JSON the page embeds: every element with data-chart="<id>" gets the
// chart described by the json_script element <id>: {labels: [...], series: [{name, values, axis}]}. Amounts
// arrive as strings and are shown as they are.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) { return; }
  document.querySelectorAll("[data-chart]").forEach(function (holder) {
    var source = document.getElementById(holder.dataset.chart);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var axes = data.series.some(function (s) { return s.axis === 1; }) ? 2 : 1;
    var yAxis = [{type: "value"}];
    if (axes === 2) { yAxis.push({type: "value", position: "right", splitLine: {show: false}}); }
    var chart = echarts.init(holder);
    window.addEventListener("resize", function () { chart.resize(); });
    chart.setOption({
      tooltip: {trigger: "axis"},
      legend: {top: 0},
      grid: {left: 50, right: axes === 2 ? 70 : 20, top: 40, bottom: 60},
      xAxis: {type: "category", data: data.labels, axisLabel: {rotate: 40}},
      yAxis: yAxis,
      series: data.series.map(function (s) {
        return {name: s.name, type: s.type || "bar", yAxisIndex: s.axis || 0, data: s.values};
      })
    });
  });
});
