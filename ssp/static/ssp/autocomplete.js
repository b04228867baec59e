// The person and forum pickers (ssp/autocomplete.py, includes/autocomplete.html).
// With JavaScript the matches come from the server as the user types (htmx); this file keeps
// what was chosen when the list of matches is replaced, and makes the keyboard work.
// No inline scripts (Content-Security-Policy).
(function () {
  "use strict";

  function pickerOf(element) {
    return element && element.closest ? element.closest("[data-ssp-ac]") : null;
  }

  function chosenList(picker) {
    return picker.querySelector(".ssp-ac-chosen");
  }

  function resultsList(picker) {
    return picker.querySelector(".ssp-ac-results");
  }

  // Move the checked matches up to the chosen list, so a new search does not drop them.
  function keepChosen(picker) {
    var chosen = chosenList(picker);
    var results = resultsList(picker);
    if (!chosen || !results) {
      return;
    }
    results.querySelectorAll("input:checked").forEach(function (input) {
      var item = input.closest("li");
      if (input.type === "radio") {
        chosen.querySelectorAll("li").forEach(function (old) { old.remove(); });
      }
      if (item) {
        chosen.appendChild(item);
      }
    });
    if (chosen.querySelector("input[type=radio]")) {
      // One choice: only the checked one stays.
      chosen.querySelectorAll("input[type=radio]:not(:checked)").forEach(function (input) {
        var item = input.closest("li");
        if (item && chosen.querySelector("input:checked")) {
          item.remove();
        }
      });
    }
  }

  // Hide matches that are chosen already (the server does not know what the page holds).
  function hideChosen(picker) {
    var chosen = chosenList(picker);
    var results = resultsList(picker);
    if (!chosen || !results) {
      return;
    }
    var values = {};
    chosen.querySelectorAll("input").forEach(function (input) { values[input.value] = true; });
    results.querySelectorAll("input").forEach(function (input) {
      if (values[input.value]) {
        var item = input.closest("li");
        if (item) {
          item.remove();
        }
      }
    });
  }

  function init(root) {
    var scope = root && root.querySelectorAll ? root : document;
    // The "Søg" button is the no-JavaScript search step; with JavaScript the list comes by
    // itself, and Enter in another field must submit the form, not search.
    scope.querySelectorAll("[data-ssp-ac] .ssp-ac-nojs").forEach(function (button) {
      button.remove();
    });
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var picker = pickerOf(event.detail && event.detail.target);
    if (picker) {
      keepChosen(picker);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var picker = pickerOf(event.detail && event.detail.target);
    if (picker) {
      hideChosen(picker);
    }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLElement)) {
      return;
    }
    var picker = pickerOf(target);
    if (!picker) {
      return;
    }
    var input = picker.querySelector(".ssp-ac-input");
    var options = Array.prototype.slice.call(
      picker.querySelectorAll(".ssp-ac-results input")
    );
    if (target === input) {
      if (event.key === "Enter") {
        event.preventDefault();
        if (window.htmx) {
          window.htmx.trigger(input, "search");
        }
      } else if (event.key === "ArrowDown" && options.length) {
        event.preventDefault();
        options[0].focus();
      } else if (event.key === "Escape") {
        var results = resultsList(picker);
        if (results) {
          keepChosen(picker);
          results.innerHTML = "";
        }
      }
      return;
    }
    if (target.matches(".ssp-ac-results input[type=checkbox]")) {
      var index = options.indexOf(target);
      if (event.key === "ArrowDown" && index < options.length - 1) {
        event.preventDefault();
        options[index + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (index > 0 ? options[index - 1] : input).focus();
      } else if (event.key === "Enter") {
        // Enter on a match checks it, as Space does, instead of submitting the form.
        event.preventDefault();
        target.click();
      }
    } else if (target.matches(".ssp-ac-results input[type=radio]") && event.key === "Enter") {
      event.preventDefault();
      target.checked = true;
      target.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  if (window.htmx && typeof window.htmx.onLoad === "function") {
    window.htmx.onLoad(init);
  } else {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  }
})();
