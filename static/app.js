// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

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

  // In a "do any of these apply?" list, "none of these" and the items exclude each other.
  function setUpTogether() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-together]"), function (group) {
      var none = group.querySelector("input[data-none]");
      var items = group.querySelectorAll("input:not([data-none])");
      if (!none) return;
      none.addEventListener("change", function () {
        if (!none.checked) return;
        Array.prototype.forEach.call(items, function (item) {
          if (!item.checked) return;
          item.checked = false;
          item.dispatchEvent(new Event("change", { bubbles: true }));
        });
      });
      Array.prototype.forEach.call(items, function (item) {
        item.addEventListener("change", function () {
          if (item.checked) none.checked = false;
        });
      });
    });
  }

  // "Your answers" is folded on screen; a printout always has it (CSS does this where the browser
  // supports ::details-content; this opens it for the others, and folds it again afterwards).
  function printFoldedAnswers() {
    var folds = document.querySelectorAll("details.answers-fold");
    var closed = [];
    window.addEventListener("beforeprint", function () {
      closed = Array.prototype.filter.call(folds, function (fold) { return !fold.open; });
      closed.forEach(function (fold) { fold.open = true; });
    });
    window.addEventListener("afterprint", function () {
      closed.forEach(function (fold) { fold.open = false; });
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
    button.addEventListener("click", function () { window.print(); });
  }

  // Call screen: one key answers a question and moves on; the emergency script shows at once.
  function setUpShortcuts() {
    var form = document.querySelector("form[data-shortcuts]");
    if (!form) return;
    var script = document.querySelector("[data-emergency-script]");
    // The emergency section's questions, as the rule book has them (the page lists them).
    var emergencyNames = (form.getAttribute("data-emergency-questions") || "").split(" ").filter(Boolean);

    function visibleFields() {
      return Array.prototype.filter.call(form.querySelectorAll(".field"), function (field) {
        return !field.hasAttribute("data-reveal-hidden");
      });
    }
    function focusField(field) {
      var input = field.querySelector("input:checked") || field.querySelector("input");
      if (input) input.focus();
    }
    function updateScript() {
      if (!script) return;
      var yes = emergencyNames.some(function (name) {
        var input = form.querySelector('input[name="' + name + '"][value="yes"]');
        return input && input.checked;
      });
      script.hidden = !yes;
    }
    form.addEventListener("change", updateScript);
    form.addEventListener("keydown", function (event) {
      var input = event.target;
      if (!input.matches || !input.matches("input[data-key]")) return;
      var field = input.closest(".field");
      if (event.key === "Enter") {
        event.preventDefault();
        var following = visibleFields()[visibleFields().indexOf(field) + 1];
        // In a question with several answers, Enter moves on; elsewhere it asks for the advice.
        if (input.type === "checkbox" && following) focusField(following);
        else form.requestSubmit();
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var choice = field.querySelector('input[data-key="' + event.key.toLowerCase() + '"]');
      if (!choice) return;
      event.preventDefault();
      if (choice.type === "checkbox" && !choice.hasAttribute("data-none")) {
        choice.checked = !choice.checked;
        choice.dispatchEvent(new Event("change", { bubbles: true }));
        choice.focus();
        return;
      }
      choice.checked = true;
      choice.dispatchEvent(new Event("change", { bubbles: true }));
      if (script && !script.hidden) {
        script.scrollIntoView({ block: "center" });
        return;
      }
      var fields = visibleFields();
      var next = fields[fields.indexOf(field) + 1];
      if (next) focusField(next);
    });
    updateScript();
  }

  function setUpCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) {
        button.hidden = true;
        return;
      }
      var status = button.parentNode.querySelector("[data-copy-status]");
      button.addEventListener("click", function () {
        var text = document.getElementById(button.getAttribute("data-copy")).textContent;
        navigator.clipboard.writeText(text).then(function () {
          if (status) status.textContent = "Copied.";
        }, function () {
          if (status) status.textContent = "Could not copy: select the text and copy it.";
        });
      });
    });
  }

  // A button that saves the text of an element as a file (made in the browser: nothing is sent).
  function setUpDownload() {
    document.querySelectorAll("[data-download]").forEach(function (button) {
      button.addEventListener("click", function () {
        var text = document.getElementById(button.getAttribute("data-download")).textContent;
        var link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([text], {type: button.getAttribute("data-type") || "text/plain"}));
        link.download = button.getAttribute("data-filename") || "download.txt";
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      });
    });
  }

  ready(function () {
    setUpReveals();
    setUpTogether();
    printFoldedAnswers();
    focusErrors();
    setUpPrint();
    setUpShortcuts();
    setUpCopy();
    setUpDownload();
  });
})();
