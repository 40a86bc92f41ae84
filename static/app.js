// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  // Show follow-up questions only when the answer they depend on is chosen.
  function setUpReveals() {
    var groups = document.querySelectorAll("[data-reveal-for]");
    Array.prototype.forEach.call(groups, function (group) {
      var name = group.getAttribute("data-reveal-for");
      var values = group.getAttribute("data-reveal-values").split(" ");
      var inputs = document.querySelectorAll('input[name="' + name + '"]');
      function update() {
        var show = Array.prototype.some.call(inputs, function (input) {
          return input.checked && values.indexOf(input.value) !== -1;
        });
        if (show) group.removeAttribute("data-reveal-hidden");
        else group.setAttribute("data-reveal-hidden", "");
      }
      Array.prototype.forEach.call(inputs, function (input) {
        if (values.indexOf(input.value) !== -1) {
          var controls = (input.getAttribute("aria-controls") || "").split(" ").filter(Boolean);
          controls.push(group.id);
          input.setAttribute("aria-controls", controls.join(" "));
        }
        input.addEventListener("change", update);
      });
      update();
    });
  }

  // Move focus to the error summary so screen readers announce the problems first.
  function focusErrors() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  function setUpPrint() {
    var button = document.querySelector("[data-print]");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  ready(function () {
    setUpReveals();
    focusErrors();
    setUpPrint();
  });
})();
