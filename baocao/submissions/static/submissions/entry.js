/* The data entry page of a report (baocao/submissions/templates/submissions/entry.html).
 *
 * - Each cell is checked as it is typed, with the rules of baocao/submissions/values.py:
 *   Vietnamese numbers (1.234,5: dots group thousands, the comma marks decimals).
 *   The server checks again on save; this only tells the officer early.
 * - Row totals are recomputed for the edited row only, so a form of hundreds of cells stays
 *   fast (one delegated listener, no work per keystroke beyond one row). Sums use BigInt on
 *   scaled integers: no binary floating point rounding in a total.
 * - Enter / ArrowDown / ArrowUp move within a column; ArrowLeft / ArrowRight at the edge of
 *   the text move along the row. Tab keeps its usual order.
 * - Unsaved changes are shown, and leaving the page with them asks for confirmation.
 */
(function () {
  "use strict";

  var form = document.getElementById("entry-form");
  if (!form) return;

  var GROUPED = /^[+-]?\d{1,3}(\.\d{3})+$/;
  var PLAIN = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
  var SPACES = /[\s\u00a0\u202f]/g;
  var NUMERIC = { number: true, integer: true, percentage: true };

  // A number typed the Vietnamese way: {empty} | {value: BigInt, scale} | null (not a number).
  function parseVi(raw) {
    var text = raw.replace(SPACES, "");
    if (text === "") return { empty: true };
    if (text.indexOf(",") >= 0) {
      var at = text.indexOf(",");
      var whole = text.slice(0, at);
      var fraction = text.slice(at + 1);
      if (fraction.indexOf(",") >= 0 || (whole.indexOf(".") >= 0 && !GROUPED.test(whole))) return null;
      text = whole.replace(/\./g, "") + "." + fraction;
    } else if (GROUPED.test(text)) {
      text = text.replace(/\./g, "");
    }
    if (!PLAIN.test(text)) return null;
    var negative = text.charAt(0) === "-";
    if (text.charAt(0) === "-" || text.charAt(0) === "+") text = text.slice(1);
    var parts = text.split(".");
    var decimals = (parts[1] || "").replace(/0+$/, "");
    var value = BigInt((parts[0] || "0") + decimals);
    return { value: negative ? -value : value, scale: decimals.length };
  }

  function formatVi(value, scale) {
    var negative = value < 0n;
    var digits = (negative ? -value : value).toString();
    while (digits.length <= scale) digits = "0" + digits;
    var whole = scale ? digits.slice(0, digits.length - scale) : digits;
    var fraction = scale ? digits.slice(digits.length - scale) : "";
    var grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (negative && value !== 0n ? "-" : "") + grouped + (fraction ? "," + fraction : "");
  }

  function message(name, decimals) {
    var text = form.getAttribute("data-msg-" + name) || "";
    return text.replace("%(decimals)s", String(decimals));
  }

  // The problem with a cell's text, or "" when it is acceptable.
  function problemOf(input) {
    var type = input.getAttribute("data-type");
    if (!NUMERIC[type]) return "";
    var parsed = parseVi(input.value);
    if (parsed === null) return message("nan");
    if (parsed.empty) return "";
    if (type === "integer" && parsed.scale > 0) return message("int");
    var decimals = parseInt(input.getAttribute("data-decimals") || "0", 10);
    if (type !== "integer" && parsed.scale > decimals) return message("decimals", decimals);
    return "";
  }

  function showProblem(input, text) {
    var box = document.getElementById(input.id + "-error");
    if (!box) return;
    if (text) {
      box.textContent = text;
      box.hidden = false;
      input.setAttribute("aria-invalid", "true");
    } else if (!box.hidden) {
      box.textContent = "";
      box.hidden = true;
      input.removeAttribute("aria-invalid");
      var cell = input.closest("td");
      if (cell) cell.classList.remove("has-error");
    }
  }

  function updateRowTotal(row) {
    var output = row.querySelector("[data-row-total]");
    if (!output) return;
    var inputs = row.querySelectorAll(".cell-input--num");
    var parsed = [];
    var scale = 0;
    for (var i = 0; i < inputs.length; i++) {
      var item = parseVi(inputs[i].value);
      if (item && !item.empty) {
        parsed.push(item);
        if (item.scale > scale) scale = item.scale;
      }
    }
    var total = 0n;
    for (var j = 0; j < parsed.length; j++) {
      total += parsed[j].value * 10n ** BigInt(scale - parsed[j].scale);
    }
    output.textContent = formatVi(total, scale);
  }

  // Unsaved changes ------------------------------------------------------------------------

  var changed = new Set();
  var submitting = false;
  var indicator = form.querySelector("[data-dirty-indicator]");

  function initialValue(element) {
    if (element.tagName === "SELECT") {
      for (var i = 0; i < element.options.length; i++) {
        if (element.options[i].defaultSelected) return element.options[i].value;
      }
      return element.options.length ? element.options[0].value : "";
    }
    return element.defaultValue;
  }

  function track(element) {
    if (element.value !== initialValue(element)) {
      changed.add(element);
      element.classList.add("is-changed");
    } else {
      changed.delete(element);
      element.classList.remove("is-changed");
    }
    if (indicator) indicator.hidden = changed.size === 0;
  }

  window.addEventListener("beforeunload", function (event) {
    if (changed.size && !submitting) {
      event.preventDefault();
      event.returnValue = form.getAttribute("data-msg-unsaved") || "";
    }
  });
  form.addEventListener("submit", function () {
    submitting = true;
  });

  // Typing ---------------------------------------------------------------------------------

  form.addEventListener("input", function (event) {
    var target = event.target;
    if (target.classList.contains("cell-input")) {
      showProblem(target, problemOf(target));
      var row = target.closest("tr");
      if (row) updateRowTotal(row);
    } else if (target.hasAttribute("data-counter")) {
      var counter = document.getElementById(target.getAttribute("data-counter"));
      if (counter) {
        var count = counter.querySelector("[data-count]");
        if (count) count.textContent = String(target.value.length);
        counter.classList.toggle("is-full", target.value.length >= target.maxLength && target.maxLength > 0);
      }
    }
    if (target.name) track(target);
  });
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT" && event.target.name) track(event.target);
  });

  form.addEventListener("click", function (event) {
    var button = event.target.closest(".comment-toggle");
    if (!button) return;
    var box = document.getElementById(button.getAttribute("aria-controls"));
    if (!box) return;
    var open = box.hidden;
    box.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) box.focus();
  });

  // Moving between cells -------------------------------------------------------------------

  function columnOf(input) {
    var cell = input.closest("td");
    return cell ? cell.cellIndex : -1;
  }

  function allInputs() {
    return Array.prototype.slice.call(form.querySelectorAll(".cell-input"));
  }

  function vertical(input, step) {
    var row = input.closest("tr");
    var column = columnOf(input);
    var next = step > 0 ? row.nextElementSibling : row.previousElementSibling;
    while (next) {
      var cell = next.cells[column];
      var target = cell && cell.querySelector(".cell-input");
      if (target) return target;
      next = step > 0 ? next.nextElementSibling : next.previousElementSibling;
    }
    // Past the end of the table: the next (or previous) input of the form.
    var inputs = allInputs();
    var index = inputs.indexOf(input);
    if (step > 0) {
      for (var i = index + 1; i < inputs.length; i++) if (inputs[i].closest("table") !== input.closest("table")) return inputs[i];
    } else {
      for (var j = index - 1; j >= 0; j--) if (inputs[j].closest("table") !== input.closest("table")) return inputs[j];
    }
    return null;
  }

  function horizontal(input, step) {
    var inputs = allInputs();
    return inputs[inputs.indexOf(input) + step] || null;
  }

  function moveTo(target) {
    if (!target) return;
    target.focus();
    if (typeof target.select === "function" && target.tagName === "INPUT") target.select();
  }

  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("cell-input")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var isSelect = input.tagName === "SELECT";
    var key = event.key;
    if (key === "Enter") {
      event.preventDefault();
      moveTo(vertical(input, event.shiftKey ? -1 : 1));
    } else if (isSelect) {
      return;
    } else if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      moveTo(vertical(input, key === "ArrowDown" ? 1 : -1));
    } else if (key === "ArrowLeft" && input.selectionStart === 0 && input.selectionEnd === 0) {
      event.preventDefault();
      moveTo(horizontal(input, -1));
    } else if (
      key === "ArrowRight" &&
      input.selectionStart === input.value.length &&
      input.selectionEnd === input.value.length
    ) {
      event.preventDefault();
      moveTo(horizontal(input, 1));
    }
  });

  var problems = document.getElementById("problems");
  if (problems) problems.focus();

  // Live checks (issue 5): htmx posts the page's values to the report's check view on every
  // change and puts the findings in #live-findings; the cells they concern are marked here.
  function markFindings(box) {
    var marked = form.querySelectorAll(".has-finding");
    for (var i = 0; i < marked.length; i++) {
      marked[i].classList.remove("has-finding", "has-finding--error", "has-finding--warning", "has-finding--notice");
    }
    var items = box.querySelectorAll("[data-finding-cells]");
    for (var j = 0; j < items.length; j++) {
      var importance = items[j].getAttribute("data-importance");
      var names = JSON.parse(items[j].getAttribute("data-finding-cells") || "[]");
      for (var k = 0; k < names.length; k++) {
        var input = form.querySelector('[name="' + CSS.escape(names[k]) + '"]');
        if (input) input.classList.add("has-finding", "has-finding--" + importance);
      }
    }
  }
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var box = event.detail && event.detail.target;
    if (box && box.id === "live-findings") markFindings(box);
  });
  form.addEventListener("click", function (event) {
    var link = event.target.closest("[data-focus-first]");
    if (!link) return;
    event.preventDefault();
    var names = JSON.parse(link.closest("[data-finding-cells]").getAttribute("data-finding-cells"));
    var input = names.length ? form.querySelector('[name="' + CSS.escape(names[0]) + '"]') : null;
    if (input) input.focus();
  });
})();
