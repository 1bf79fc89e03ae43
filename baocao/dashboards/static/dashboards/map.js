/* The province map of the direction center: a Plotly choropleth of one value per province.
 *
 *   window.baocaoMap(element, {
 *     geojson,          // FeatureCollection from baocao.dashboards.geo.province_shapes:
 *                       //   feature.id = official province code, properties.name
 *     rows,             // [{code, name, value, label}]; value a number (or numeric
 *                       //   string), null or absent = no data;
 *                       //   label (optional) = the value as text, shown instead of the number
 *     title,            // optional, drawn above the map
 *     unitLabel,        // unit of the values ("%", "tỷ đồng"), in tooltips and on the colour bar
 *     colorscale,       // optional Plotly colorscale
 *     drillUrl,         // optional, "/dashboards/province/{code}/": where a click goes
 *     locale,           // optional, default "vi-VN"
 *     texts,            // optional translations: {noData, hoangSa, truongSa}
 *   }) -> Promise (Plotly.newPlot's)
 *
 * Needs only Plotly (served from the installed `plotly` package). Nothing is fetched:
 * plotly.js (4.1.1) fetches a world base map from `config.topojsonURL`
 * (Plotly's own CDN by default) for every geo subplot whose first trace has a
 * `locationmode`, and a choropleth with a `geojson` always has one ("geojson-id"), even with
 * every base layer hidden. The machine and its users may be offline, so the base map Plotly
 * asks for is registered in `window.PlotlyGeoAssets` beforehand as an empty topology
 * (Plotly fetches only names it does not hold), and `topojsonURL` points to the same empty
 * topology among this app's static files, so that nothing can ever go to the CDN.
 *
 * Provinces without a value are drawn too, in grey, and say "Không có số liệu". The Hoàng Sa
 * and Trường Sa archipelagos (in Đà Nẵng and Khánh Hòa) are part of the shapes and are named
 * on the map: every official map of Viet Nam must show them (data/geo/NOTICE.md).
 */
(function () {
  "use strict";

  var SCRIPT = document.currentScript;
  // Beside this file: static/dashboards/topojson/ (empty topologies, see above).
  var TOPOJSON_URL = SCRIPT && SCRIPT.src ? new URL("topojson/", SCRIPT.src).href : "topojson/";
  // plotly.js names the base map `${scope}_${resolution}m` (getTopojsonName).
  var SCOPE = "world";
  var RESOLUTION = 110;
  var BASE_MAP = SCOPE + "_" + RESOLUTION + "m";
  var EMPTY_BASE_MAP_LAYERS = ["coastlines", "countries", "lakes", "land", "ocean", "rivers", "subunits"];

  var NO_DATA_COLOR = "#d4d4d4";
  var BORDER_COLOR = "#8c8c8c";
  // Yellow to blue (ColorBrewer YlGnBu): even the lowest value stays distinct from no-data grey.
  var DEFAULT_COLORSCALE = [
    [0, "#ffffcc"],
    [0.25, "#a1dab4"],
    [0.5, "#41b6c4"],
    [0.75, "#2c7fb8"],
    [1, "#253494"],
  ];
  var DEFAULT_TEXTS = {
    noData: "Không có số liệu",
    hoangSa: "Quần đảo Hoàng Sa",
    truongSa: "Quần đảo Trường Sa",
  };
  // Where the names of the archipelagos are written (longitude, latitude).
  var ARCHIPELAGO_LABELS = [
    { key: "hoangSa", lon: 111.9, lat: 17.55 },
    { key: "truongSa", lon: 114.2, lat: 12.35 },
  ];

  function emptyTopology() {
    var objects = {};
    EMPTY_BASE_MAP_LAYERS.forEach(function (name) {
      objects[name] = { type: "GeometryCollection", geometries: [] };
    });
    return { type: "Topology", objects: objects, arcs: [] };
  }

  function registerEmptyBaseMap() {
    var assets = (window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} });
    assets.topojson = assets.topojson || {};
    if (assets.topojson[BASE_MAP] === undefined) assets.topojson[BASE_MAP] = emptyTopology();
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"]/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[ch];
    });
  }

  // A value as a number, or null for "no data". Numeric strings are accepted: DRF and
  // Django's JSON encoder write Decimal values as strings ("1234.5").
  function numberOf(value) {
    if (typeof value === "string" && value.trim() !== "") value = Number(value);
    return typeof value === "number" && isFinite(value) ? value : null;
  }

  // About five round steps (1, 2, 2.5 or 5 times a power of ten) between min and max.
  function niceTicks(min, max) {
    if (!(max > min)) return [min];
    var raw = (max - min) / 4;
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = power;
    [1, 2, 2.5, 5, 10].some(function (factor) {
      step = factor * power;
      return step >= raw;
    });
    var ticks = [];
    for (var tick = Math.ceil(min / step) * step; tick <= max + step * 1e-9; tick += step) {
      ticks.push(Number(tick.toPrecision(12)));
    }
    return ticks;
  }

  window.baocaoMap = function (element, options) {
    if (!window.Plotly) throw new Error("baocaoMap: Plotly is not loaded");
    var geojson = options.geojson;
    var texts = Object.assign({}, DEFAULT_TEXTS, options.texts || {});
    var numbers = new Intl.NumberFormat(options.locale || "vi-VN", { maximumFractionDigits: 2 });
    var unit = options.unitLabel ? " " + options.unitLabel : "";

    var rowsByCode = {};
    (options.rows || []).forEach(function (row) {
      rowsByCode[String(row.code)] = row;
    });

    var withData = { locations: [], z: [], text: [] };
    var withoutData = { locations: [], z: [], text: [] };
    geojson.features.forEach(function (feature) {
      var code = String(feature.id);
      var row = rowsByCode[code] || {};
      var name = row.name || (feature.properties && feature.properties.name) || code;
      var heading = "<b>" + escapeHtml(name) + "</b><br>";
      var value = numberOf(row.value);
      if (value !== null) {
        var shown = row.label != null && row.label !== "" ? row.label : numbers.format(value) + unit;
        withData.locations.push(code);
        withData.z.push(value);
        withData.text.push(heading + escapeHtml(shown));
      } else {
        withoutData.locations.push(code);
        withoutData.z.push(0);
        withoutData.text.push(heading + escapeHtml(texts.noData));
      }
    });

    function choropleth(extra) {
      var base = {
        type: "choropleth",
        geojson: geojson,
        featureidkey: "id",
        hovertemplate: "%{text}<extra></extra>",
        // A grey border, not white: the smallest islands are mostly border at this scale.
        marker: { line: { color: BORDER_COLOR, width: 0.5 } },
      };
      return Object.assign(base, extra);
    }
    var traces = [];
    if (withData.locations.length) {
      var min = Math.min.apply(null, withData.z);
      var max = Math.max.apply(null, withData.z);
      var ticks = niceTicks(min, max);
      traces.push(
        choropleth({
          locations: withData.locations,
          z: withData.z,
          text: withData.text,
          name: escapeHtml(options.unitLabel || ""),
          colorscale: options.colorscale || DEFAULT_COLORSCALE,
          zmin: min,
          zmax: max === min ? min + 1 : max,
          showlegend: false,
          colorbar: {
            title: { text: escapeHtml(options.unitLabel || ""), side: "top" },
            tickvals: ticks,
            ticktext: ticks.map(function (tick) {
              return numbers.format(tick);
            }),
            thickness: 14,
            len: 0.75,
            outlinewidth: 0,
          },
        })
      );
    }
    if (withoutData.locations.length) {
      traces.push(
        choropleth({
          locations: withoutData.locations,
          z: withoutData.z,
          text: withoutData.text,
          name: escapeHtml(texts.noData),
          colorscale: [
            [0, NO_DATA_COLOR],
            [1, NO_DATA_COLOR],
          ],
          showscale: false,
          showlegend: true,
        })
      );
    }
    traces.push({
      type: "scattergeo",
      mode: "text",
      lon: ARCHIPELAGO_LABELS.map(function (label) {
        return label.lon;
      }),
      lat: ARCHIPELAGO_LABELS.map(function (label) {
        return label.lat;
      }),
      text: ARCHIPELAGO_LABELS.map(function (label) {
        return escapeHtml(texts[label.key]);
      }),
      textfont: { size: 10, color: "#555555" },
      hoverinfo: "skip",
      showlegend: false,
    });

    var layout = {
      title: options.title ? { text: escapeHtml(options.title), x: 0.02, xanchor: "left" } : undefined,
      separators: ",.",
      margin: { l: 0, r: 0, t: options.title ? 40 : 8, b: 0 },
      paper_bgcolor: "rgba(0,0,0,0)",
      // Text colour of the page around the map (light on the video wall's dark ground).
      font: { color: options.ink || "#1b1f24" },
      dragmode: false,
      legend: { x: 0.02, y: 0.02, xanchor: "left", yanchor: "bottom", bgcolor: "rgba(255,255,255,0.7)" },
      geo: {
        scope: SCOPE,
        resolution: RESOLUTION,
        projection: { type: "mercator" },
        fitbounds: "geojson",
        visible: false,
        showframe: false,
        showcoastlines: false,
        showcountries: false,
        showland: false,
        showocean: false,
        showlakes: false,
        showrivers: false,
        showsubunits: false,
        bgcolor: "rgba(0,0,0,0)",
      },
    };
    var config = {
      responsive: true,
      displaylogo: false,
      scrollZoom: false,
      topojsonURL: TOPOJSON_URL,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
    };

    registerEmptyBaseMap();
    return window.Plotly.newPlot(element, traces, layout, config).then(function (plot) {
      if (options.drillUrl) {
        plot.on("plotly_click", function (event) {
          var point = event && event.points && event.points[0];
          if (!point || point.location == null) return;
          window.location.assign(options.drillUrl.split("{code}").join(encodeURIComponent(point.location)));
        });
      }
      return plot;
    });
  };
})();
