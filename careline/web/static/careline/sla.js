// SLA clocks keep moving: every <time data-sla-due> gets "in 12 min" / "3 min overdue" and its
// warning or breach class, once now and every 15 seconds. The server already wrote the same
// text, so without this script the page shows the due time as it was when rendered.
// Loaded with `defer` from 'self'; no inline code (strict CSP).
(function () {
  "use strict";

  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    if (minutes < 1) return "<1 min";
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    if (days) return hours ? days + " d " + hours + " h" : days + " d";
    if (hours) return mins ? hours + " h " + mins + " min" : hours + " h";
    return mins + " min";
  }

  var STATES = ["sla-running", "sla-warning", "sla-breached"];

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-sla-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-sla-due"));
      if (isNaN(due)) return;
      var warnAttr = el.getAttribute("data-sla-warn");
      var warn = warnAttr ? Date.parse(warnAttr) : NaN;
      var left = due - now;
      var state = left <= 0 ? "sla-breached" : !isNaN(warn) && warn <= now ? "sla-warning" : "sla-running";
      el.textContent = left <= 0 ? span(left) + " overdue" : "in " + span(left);
      STATES.forEach(function (name) {
        el.classList.toggle(name, name === state);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  window.setInterval(tick, 15000);
})();
