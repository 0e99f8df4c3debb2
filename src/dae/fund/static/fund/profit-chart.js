// The finance dashboard's profit-rate chart, drawn from the JSON the page embeds (json_script "profit-chart-data"):
// lines of the year-to-date and the projected full-year rate (%), the yellow and red levels as dashed lines,
// and bars of each month's payouts (yuan, right axis). Amounts and rates arrive as strings; they are shown
// as they are, never computed with here.
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("profit-chart");
  var source = document.getElementById("profit-chart-data");
  if (!holder || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var names = data.names || {};
  var level = function (value) { return data.labels.map(function () { return value; }); };
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {top: 0, type: "scroll"},
    grid: {left: 60, right: 80, top: 56, bottom: 30},
    xAxis: {type: "category", data: data.labels},
    yAxis: [
      {type: "value", axisLabel: {formatter: "{value}%"}},
      {type: "value", position: "right", splitLine: {show: false}}
    ],
    series: [
      {name: names.payouts, type: "bar", yAxisIndex: 1, data: data.payouts, itemStyle: {color: "#9ec5fe"}},
      {name: names.rate, type: "line", data: data.rate, itemStyle: {color: "#0d6efd"}},
      {name: names.projected, type: "line", data: data.projected, lineStyle: {type: "dotted"},
       itemStyle: {color: "#6f42c1"}},
      {name: names.yellow, type: "line", data: level(data.yellow), symbol: "none",
       lineStyle: {type: "dashed", color: "#ffc107"}, itemStyle: {color: "#ffc107"}},
      {name: names.red, type: "line", data: level(data.red), symbol: "none",
       lineStyle: {type: "dashed", color: "#dc3545"}, itemStyle: {color: "#dc3545"}}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
