// The remote-investigation statistics charts, drawn from the JSON the page embeds (json_script
// "stats-chart-data"): tasks, overdue and on-time counts by requesting region (bars), and tasks by outcome (pie).
// Counts arrive as numbers and are shown as they are; nothing is computed here.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("stats-chart-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var names = data.names || {};
  var bars = document.getElementById("stats-chart");
  if (bars) {
    var chart = echarts.init(bars);
    chart.setOption({
      tooltip: {trigger: "axis"},
      legend: {top: 0},
      grid: {left: 40, right: 20, top: 40, bottom: 30},
      xAxis: {type: "category", data: data.regions},
      yAxis: {type: "value", minInterval: 1},
      series: [
        {name: names.total, type: "bar", data: data.totals, itemStyle: {color: "#0d6efd"}},
        {name: names.on_time, type: "bar", data: data.on_time, itemStyle: {color: "#198754"}},
        {name: names.overdue, type: "bar", data: data.overdue, itemStyle: {color: "#dc3545"}}
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var pie = document.getElementById("outcome-chart");
  if (pie) {
    var outcomes = echarts.init(pie);
    outcomes.setOption({
      title: {text: names.outcomes, left: "center", textStyle: {fontSize: 14}},
      tooltip: {trigger: "item"},
      series: [{name: names.outcomes, type: "pie", radius: ["35%", "65%"], top: 30, data: data.outcomes}]
    });
    window.addEventListener("resize", function () { outcomes.resize(); });
  }
});
