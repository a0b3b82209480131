// Draws the dashboard's performance trends from #trends-data: one Plotly chart of small
// multiples (one cell per objective) and, when one is chosen, that objective larger. Drawn
// again whenever htmx swaps the panel (a refresh or another objective chosen).
(function () {
  "use strict";

  var GREY = "#8c959f", GREEN = "#1a7f37", BLUE = "#0b5394";

  function traces(d, axis, legend) {
    var x = axis ? "x" + axis : "x", y = axis ? "y" + axis : "y";
    return [
      { name: "Planned path", x: d.planned.x, y: d.planned.y, xaxis: x, yaxis: y, mode: "lines",
        line: { color: GREY, dash: "dash", width: 1 }, hoverinfo: "skip", showlegend: legend },
      { name: "Target", x: d.target.x, y: d.target.y, xaxis: x, yaxis: y, mode: "lines",
        line: { color: GREEN, width: 1 }, hoverinfo: "skip", showlegend: legend },
      { name: "Actual", x: d.actual.x, y: d.actual.y, text: d.actual.text, xaxis: x, yaxis: y,
        mode: "lines+markers", line: { color: BLUE, width: 2 }, marker: { size: 4 },
        showlegend: legend, hovertemplate: "%{text}: %{y} " + d.unit + "<extra></extra>" }
    ];
  }

  function drawGrid(el, objectives) {
    var columns = el.clientWidth < 500 ? 2 : 4;
    var rows = Math.ceil(objectives.length / columns);
    var data = [], annotations = [];
    var layout = {
      grid: { rows: rows, columns: columns, pattern: "independent", ygap: 0.5, xgap: 0.25 },
      margin: { t: 30, r: 10, b: 30, l: 35 }, height: 170 * rows + 40, showlegend: false,
      font: { size: 10 }
    };
    objectives.forEach(function (d, i) {
      var n = i + 1, suffix = n === 1 ? "" : String(n);
      data = data.concat(traces(d, suffix === "" ? "" : suffix, false));
      layout["xaxis" + suffix] = { type: "date", nticks: 3 };
      layout["yaxis" + suffix] = { nticks: 4, automargin: true };
      // Titles are escaped on the server (objectives.charts.plotly_text); the link is ours.
      // The label is the title cut short with the measure's unit (objectives.trends.chart_label),
      // so neighbouring titles never overlap; the full title shows on hover.
      annotations.push({ text: '<a href="' + d.url + '">' + d.label + "</a>", hovertext: d.title,
        xref: "x" + suffix + " domain", yref: "y" + suffix + " domain", x: 0, y: 1.18,
        xanchor: "left", showarrow: false, font: { size: columns === 2 ? 10 : 11 } });
    });
    layout.annotations = annotations;
    Plotly.react(el, data, layout, { responsive: true, displayModeBar: false });
  }

  function drawOne(el, d) {
    var layout = { margin: { t: 10, r: 10, b: 40, l: 50 }, legend: { orientation: "h", y: -0.2 },
      yaxis: { title: { text: d.unit } }, xaxis: { type: "date" }, autosize: true };
    Plotly.react(el, traces(d, "", true), layout, { responsive: true, displayModeBar: false });
  }

  function draw() {
    var source = document.getElementById("trends-data");
    if (!source || typeof Plotly === "undefined") return;
    var payload = JSON.parse(source.textContent);
    var grid = document.getElementById("trends-chart");
    if (grid && payload.objectives.length) drawGrid(grid, payload.objectives);
    var one = document.getElementById("trend-chosen");
    if (one && payload.chosen) drawOne(one, payload.chosen);
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.body.addEventListener("htmx:afterSettle", draw);
})();
