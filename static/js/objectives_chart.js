// Draws the objective chart from the series the server put in #objective-chart-data,
// and again whenever htmx swaps the progress section (after a value is recorded).
(function () {
  "use strict";

  function draw() {
    var el = document.getElementById("objective-chart");
    var source = document.getElementById("objective-chart-data");
    if (!el || !source || typeof Plotly === "undefined") return;
    var d = JSON.parse(source.textContent);
    var traces = [
      { name: "Planned path", x: d.planned.x, y: d.planned.y, mode: "lines",
        line: { color: "#8c959f", dash: "dash" }, hoverinfo: "skip" },
      { name: "Target", x: d.target.x, y: d.target.y, mode: "lines",
        line: { color: "#1a7f37", width: 1 }, hoverinfo: "skip" },
      { name: "Actual", x: d.actual.x, y: d.actual.y, text: d.actual.text, mode: "lines+markers",
        line: { color: "#0b5394", width: 2 },
        hovertemplate: "%{text}: %{y} " + d.unit + "<extra></extra>" }
    ];
    if (d.forecast) {
      traces.push({ name: "Forecast", x: d.forecast.x, y: d.forecast.y, mode: "lines+markers",
        line: { color: "#9a6700", dash: "dot" },
        hovertemplate: "Forecast %{x}: %{y:.1f} " + d.unit + "<extra></extra>" });
    }
    var layout = {
      margin: { t: 10, r: 10, b: 40, l: 50 },
      legend: { orientation: "h", y: -0.2 },
      yaxis: { title: { text: d.unit } },
      xaxis: { type: "date" },
      autosize: true
    };
    Plotly.react(el, traces, layout, { responsive: true, displayModeBar: false });
  }

  document.addEventListener("DOMContentLoaded", draw);
  // After an inline value is saved the progress section (chart included) is new: redraw.
  document.body.addEventListener("htmx:afterSettle", draw);
})();
