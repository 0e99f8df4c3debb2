// Charts of the credit pages, drawn from the JSON each page embeds (json_script); numbers arrive as strings and
// are shown as they are, never computed with here.
//  - score-chart-data: a party's score after each violation and list change, with the watch and black lines;
//  - top-chart-data: the anomaly scores of the run's top units (bars);
//  - indicator-chart-data: one unit's indicators as a percentage of the peer median (median = 100).
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) { return; }
  var read = function (id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  };
  var draw = function (holderId, option) {
    var holder = document.getElementById(holderId);
    if (!holder) { return; }
    var chart = echarts.init(holder);
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  };

  var score = read("score-chart-data");
  if (score) {
    var line = function (value) { return score.dates.map(function () { return value; }); };
    draw("score-chart", {
      tooltip: {trigger: "axis"},
      legend: {top: 0},
      grid: {left: 40, right: 20, top: 36, bottom: 30},
      xAxis: {type: "category", data: score.dates},
      yAxis: {type: "value", min: 0, max: 100},
      series: [
        {name: score.names.score, type: "line", step: "end", data: score.scores, itemStyle: {color: "#0d6efd"}},
        {name: score.names.watch, type: "line", data: line(score.watch), symbol: "none",
         lineStyle: {type: "dashed", color: "#ffc107"}, itemStyle: {color: "#ffc107"}},
        {name: score.names.black, type: "line", data: line(score.black), symbol: "none",
         lineStyle: {type: "dashed", color: "#212529"}, itemStyle: {color: "#212529"}}
      ]
    });
  }

  var top = read("top-chart-data");
  if (top) {
    draw("top-chart", {
      tooltip: {trigger: "axis", formatter: function (items) {
        var i = items[0].dataIndex;
        return top.labels[i] + "<br>" + top.kinds[i] + " · " + top.name + " " + top.scores[i];
      }},
      grid: {left: 50, right: 20, top: 20, bottom: 110},
      xAxis: {type: "category", data: top.labels, axisLabel: {rotate: 40, interval: 0,
        formatter: function (v) { return v.length > 14 ? v.slice(0, 14) + "…" : v; }}},
      yAxis: {type: "value", name: top.name},
      series: [{name: top.name, type: "bar", data: top.scores, itemStyle: {color: "#dc3545"}}]
    });
  }

  var ind = read("indicator-chart-data");
  if (ind) {
    draw("indicator-chart", {
      tooltip: {trigger: "axis", formatter: function (items) {
        var i = items[0].dataIndex;
        return ind.labels[i] + "<br>" + ind.names.unit + "：" + ind.values[i] + "（" + ind.unit[i] + "）<br>" +
          ind.names.peers + "：" + ind.medians[i];
      }},
      legend: {top: 0},
      grid: {left: 50, right: 20, top: 36, bottom: 40},
      xAxis: {type: "category", data: ind.labels},
      yAxis: {type: "value"},
      series: [
        {name: ind.names.unit, type: "bar", data: ind.unit, itemStyle: {color: "#0d6efd"}},
        {name: ind.names.peers, type: "bar", data: ind.peers, itemStyle: {color: "#adb5bd"}}
      ]
    });
  }
});
