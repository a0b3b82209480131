// Draws the risk's score history from the series the server put in #risk-chart-data
// (json_script: user text arrives as data, never as markup or code).
(function () {
  "use strict";

  function draw() {
    var el = document.getElementById("risk-chart");
    var source = document.getElementById("risk-chart-data");
    if (!el || !source || typeof Plotly === "undefined") return;
    var d = JSON.parse(source.textContent);
    if (!d.x.length) return;
    var first = d.x[0], last = d.x[d.x.length - 1];
    var traces = [
      { name: "Current score", x: d.x, y: d.y, text: d.text, mode: "lines+markers",
        line: { color: "#0b5394", width: 2, shape: "hv" },
        hovertemplate: "%{x}: %{y} — %{text}<extra></extra>" },
      { name: "Inherent", x: [first, last], y: [d.inherent, d.inherent], mode: "lines",
        line: { color: "#cf222e", dash: "dash", width: 1 }, hoverinfo: "skip" }
    ];
    if (d.target) {
      traces.push({ name: "Target", x: [first, last], y: [d.target, d.target], mode: "lines",
        line: { color: "#1a7f37", dash: "dot", width: 1 }, hoverinfo: "skip" });
    }
    var layout = {
      margin: { t: 10, r: 10, b: 40, l: 40 },
      legend: { orientation: "h", y: -0.25 },
      yaxis: { title: { text: "Score" }, rangemode: "tozero" },
      xaxis: { type: "date" },
      autosize: true
    };
    Plotly.react(el, traces, layout, { responsive: true, displayModeBar: false });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
