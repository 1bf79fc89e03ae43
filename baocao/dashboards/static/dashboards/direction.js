/* The direction center in the browser: charts from each panel's embedded figures (Plotly),
   sparklines, sortable tables, live updates, PNG downloads, printing and the video wall.
   Everything here works on what the server rendered; htmx swaps a panel when its figures
   change and this script draws it again. */
(function () {
  "use strict";

  var LOCALE = document.documentElement.lang && document.documentElement.lang.indexOf("en") === 0 ? "en-GB" : "vi-VN";
  var COLORS = ["#0b3a66", "#b3261e", "#1f6f43", "#b26a00", "#5b3f8c", "#00707a", "#7a4b00", "#394b59"];
  var T = LOCALE === "vi-VN"
    ? { updated: "Cập nhật lúc ", live: "Trực tiếp", offline: "Mất kết nối, đang thử lại", noData: "Không có số liệu" }
    : { updated: "Updated at ", live: "Live", offline: "Connection lost, retrying", noData: "No data" };

  function number(value, digits) {
    if (value === null || value === undefined) { return ""; }
    return new Intl.NumberFormat(LOCALE, { maximumFractionDigits: digits === undefined ? 2 : digits }).format(value);
  }

  function panelData(panel) {
    var script = document.getElementById(panel.id + "-data");
    if (!script) { return null; }
    try { return JSON.parse(script.textContent); } catch (e) { return null; }
  }

  var PLOT_CONFIG = {
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "toggleSpikelines"],
  };

  function onScreen() { return !!document.querySelector(".direction--screen"); }

  function layout(extra) {
    var ink = onScreen() ? "#e8eef5" : "#1b1f24";
    var grid = onScreen() ? "#244466" : "#e3e7ec";
    var base = {
      margin: { l: 60, r: 16, t: 8, b: 48 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", size: onScreen() ? 16 : 13, color: ink },
      // Vietnamese number format on axes and in hover labels: 1.234,5 (DESIGN.md).
      separators: LOCALE === "vi-VN" ? ",." : ".,",
      legend: { orientation: "h", y: -0.2 },
      hoverlabel: { bgcolor: "#fff", font: { color: "#1b1f24" } },
      colorway: onScreen() ? ["#f2b705", "#6fdc9a", "#ff8f87", "#8ecbff", "#d0a6ff", "#7fe0e8"] : COLORS,
      // Whole numbers with thousands separators, never "1,5M" (Vietnamese readers).
      yaxis: { gridcolor: grid, separatethousands: true, exponentformat: "none", automargin: true },
      xaxis: { gridcolor: grid, automargin: true },
    };
    return Object.assign(base, extra || {});
  }

  function drawSeries(panel, data, kind) {
    var element = panel.querySelector(".chart");
    var series = data.series || [];
    // Months and quarters on one axis: each point at the middle of its period in time.
    var byDate = kind !== "bar";
    var traces = series.map(function (line) {
      return {
        type: kind === "bar" ? "bar" : "scatter",
        mode: "lines+markers",
        name: line.name + (line.unit_of_measure ? " (" + line.unit_of_measure + ")" : ""),
        x: byDate ? line.dates : line.x,
        y: line.y,
        customdata: line.x.map(function (period, i) { return [period, line.labels[i] || T.noData]; }),
        hovertemplate: "%{customdata[0]}<br><b>%{customdata[1]}</b> " + (line.unit_of_measure || "") + "<extra>" + line.name + "</extra>",
        connectgaps: false,
        marker: { size: 5 },
        line: { width: 2.5 },
      };
    });
    var look = layout();
    // Columns start at zero; lines follow their values (an index near 104 keeps its detail).
    look.yaxis.rangemode = kind === "bar" ? "tozero" : "normal";
    look.xaxis.type = byDate ? "date" : "category";
    if (byDate) { look.xaxis.tickformat = "%m/%Y"; look.xaxis.hoverformat = "%m/%Y"; }
    Plotly.react(element, traces, look, PLOT_CONFIG);
  }

  function drawRanking(panel, data) {
    var element = panel.querySelector(".chart");
    var items = (data.items || []).filter(function (item) { return item.value !== null; }).slice().reverse();
    var values = items.map(function (item) { return item.value; });
    var low = Math.min.apply(null, values), high = Math.max.apply(null, values);
    // Values all far from zero (an index, a rate near 100): dots on a scale that shows their
    // differences; otherwise bars from zero.
    var dots = values.length > 0 && low > 0 && low / high > 0.5;
    var trace = {
      type: dots ? "scatter" : "bar",
      mode: dots ? "markers" : undefined,
      orientation: "h",
      x: values,
      y: items.map(function (item) { return item.rank + ". " + item.name; }),
      customdata: items.map(function (item) { return [item.label, item.url]; }),
      hovertemplate: "%{y}<br><b>%{customdata[0]}</b> " + (data.unit_of_measure || "") + "<extra></extra>",
      marker: dots ? { color: onScreen() ? "#f2b705" : "#0b3a66", size: 10 } : { color: onScreen() ? "#f2b705" : "#0b3a66" },
    };
    var height = Math.max(260, 22 * items.length + 60);
    element.style.height = height + "px";
    var look = layout({ margin: { l: 190, r: 16, t: 8, b: 40 }, height: height });
    look.yaxis.type = "category";
    Plotly.react(element, [trace], look, PLOT_CONFIG);
    element.on("plotly_click", function (event) {
      var url = event.points && event.points[0] && event.points[0].customdata[1];
      if (url) { window.location.href = url; }
    });
  }

  function drawMap(panel, data) {
    var element = panel.querySelector(".chart");
    fetch(data.geojson, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (geojson) {
        if (!window.baocaoMap) { return; }
        window.baocaoMap(element, {
          geojson: geojson,
          rows: data.rows,
          ink: onScreen() ? "#e8eef5" : "#1b1f24",
          unitLabel: data.unit_of_measure,
          drillUrl: data.drill.replace("CODE", "{code}"),
        });
      });
  }

  function drawSparklines(root) {
    root.querySelectorAll("svg.sparkline[data-spark]").forEach(function (svg) {
      var values = svg.getAttribute("data-spark").split(",").map(function (text) {
        return text === "" || text === "None" ? null : parseFloat(text);
      });
      var known = values.filter(function (v) { return v !== null && !isNaN(v); });
      if (known.length < 2) { return; }
      var min = Math.min.apply(null, known), max = Math.max.apply(null, known);
      var span = max - min || 1;
      var step = 100 / Math.max(1, values.length - 1);
      var points = [];
      values.forEach(function (v, i) {
        if (v === null || isNaN(v)) { return; }
        points.push((i * step).toFixed(1) + "," + (22 - ((v - min) / span) * 20).toFixed(1));
      });
      svg.innerHTML = '<polyline fill="none" stroke="currentColor" stroke-width="1.6" vector-effect="non-scaling-stroke" points="' + points.join(" ") + '"/>';
    });
  }

  function sortable(root) {
    root.querySelectorAll("table.sortable:not([data-sortable])").forEach(function (table) {
      table.setAttribute("data-sortable", "");
      table.querySelectorAll("thead th").forEach(function (th, column) {
        th.tabIndex = 0;
        th.setAttribute("aria-sort", "none");
        function sort() {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          table.querySelectorAll("thead th").forEach(function (other) { other.setAttribute("aria-sort", "none"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var numeric = th.getAttribute("data-sort") === "number";
          var rows = Array.prototype.slice.call(table.tBodies[0].rows);
          rows.sort(function (a, b) {
            var x = a.cells[column], y = b.cells[column];
            var u, v;
            if (numeric) {
              u = parseFloat(x.getAttribute("data-value") || x.textContent.replace(/\./g, "").replace(",", "."));
              v = parseFloat(y.getAttribute("data-value") || y.textContent.replace(/\./g, "").replace(",", "."));
              if (isNaN(u)) { return 1; }
              if (isNaN(v)) { return -1; }
              return ascending ? u - v : v - u;
            }
            u = x.textContent.trim(); v = y.textContent.trim();
            return ascending ? u.localeCompare(v, LOCALE) : v.localeCompare(u, LOCALE);
          });
          rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
        }
        th.addEventListener("click", sort);
        th.addEventListener("keydown", function (event) { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); } });
      });
    });
  }

  function draw(root) {
    var panels = root.classList && root.classList.contains("panel") ? [root] : root.querySelectorAll(".panel");
    Array.prototype.forEach.call(panels, function (panel) {
      var data = panelData(panel);
      var chart = panel.getAttribute("data-chart");
      if (!data || !window.Plotly) { return; }
      try {
        if (chart === "line" || chart === "bar") { drawSeries(panel, data, chart); }
        else if (chart === "ranking") { drawRanking(panel, data); }
        else if (chart === "map") { drawMap(panel, data); }
      } catch (error) {
        if (window.console) { console.warn("baocao: chart not drawn", error); }
      }
    });
    drawSparklines(root);
    sortable(root);
  }

  function pngButtons(root) {
    root.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-png]");
      if (!button) { return; }
      var panel = button.closest(".panel");
      var chart = panel && panel.querySelector(".js-plotly-plot");
      if (chart) {
        var title = panel.querySelector("h2").textContent.trim().replace(/\s+/g, " ");
        Plotly.downloadImage(chart, { format: "png", filename: title.slice(0, 80), width: 1400, height: Math.max(600, chart.clientHeight * 1.5) });
      }
    });
  }

  function live() {
    // The page's container is replaced when a filter changes (htmx swaps #main): read it anew.
    function container() { return document.querySelector(".direction"); }
    var url = container().getAttribute("data-version-url");
    function stamp(text) {
      var status = container() && container().querySelector("[data-live]");
      if (status) { status.textContent = text; }
    }
    stamp(T.live + " · " + T.updated + new Date().toLocaleTimeString(LOCALE));
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (body) {
          var shown = container();
          if (shown && body.version !== shown.getAttribute("data-version")) {
            shown.setAttribute("data-version", body.version);
            // Each panel asks for its figures again (hx-trigger="baocao:changed from:body").
            if (window.htmx) { window.htmx.trigger(document.body, "baocao:changed"); }
          }
          stamp(T.live + " · " + T.updated + new Date().toLocaleTimeString(LOCALE));
        })
        .catch(function () { stamp(T.offline); });
    }
    var seconds = parseInt(container().getAttribute("data-poll-seconds") || "15", 10);
    window.setInterval(poll, Math.max(1, seconds) * 1000);
  }

  function rotation(container) {
    var next = container.getAttribute("data-rotate-next");
    var seconds = parseInt(container.getAttribute("data-rotate-seconds") || "0", 10);
    if (next && seconds > 0) {
      window.setTimeout(function () { window.location.href = next; }, seconds * 1000);
    }
  }

  function tools(container) {
    var print = container.querySelector("[data-print]");
    if (print) { print.addEventListener("click", function () { window.print(); }); }
    var screen = container.querySelector("[data-screen]");
    if (screen && document.documentElement.requestFullscreen) {
      screen.addEventListener("click", function () {
        document.documentElement.requestFullscreen().catch(function () { /* the browser refused: the page still opens */ });
      });
    }
    // A new period type makes the chosen period meaningless: let the server pick the latest.
    var type = container.querySelector("[data-resets]");
    if (type) {
      type.addEventListener("change", function () {
        var other = container.querySelector("#f-" + type.getAttribute("data-resets"));
        if (other) { other.disabled = true; }
      });
    }
  }

  function start() {
    var container = document.querySelector(".direction");
    if (!container) { return; }
    draw(document);
    pngButtons(document.body);
    live();
    rotation(container);
    tools(container);
    document.body.addEventListener("htmx:afterSwap", function (event) {
      var swapped = event.detail && event.detail.elt;
      draw(swapped && swapped.isConnected ? swapped : document);
      if (!swapped || !swapped.classList || !swapped.classList.contains("panel")) {
        var shown = document.querySelector(".direction");
        if (shown) { tools(shown); }
      }
    });
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll(".js-plotly-plot").forEach(function (chart) { Plotly.Plots.resize(chart); });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
  window.baocaoDirection = { draw: draw, number: number };
})();
