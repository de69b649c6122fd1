// Draws every chart of the page from the Plotly figure spec embedded beside it (no network).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("div.chart[data-spec]").forEach(function (div) {
    var spec = JSON.parse(document.getElementById(div.dataset.spec).textContent);
    Plotly.newPlot(div, spec.data, spec.layout, { displaylogo: false, responsive: true });
  });
});
