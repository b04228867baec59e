/* The Django admin's autocomplete boxes (select2) carry no name of their own: the box select2
   draws is named by the chosen value only, and an empty box by nothing (issue 15). Each box is
   named here by its field's label (or the aria-label the admin gives the select, see
   ssp/audit/admin.py `label_widget`), followed by what is chosen. */
(function () {
  "use strict";

  function fieldName(select) {
    var given = select.getAttribute("aria-label");
    if (given) {
      return given;
    }
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function nameBox(select) {
    var text = fieldName(select);
    var container = select.nextElementSibling;
    if (!text || !container || !container.classList.contains("select2")) {
      return;
    }
    var nameId = select.id + "-ssp-name";
    if (!document.getElementById(nameId)) {
      var name = document.createElement("span");
      name.id = nameId;
      name.hidden = true;
      name.textContent = text;
      select.parentNode.insertBefore(name, select);
    }
    var box = container.querySelector('[role="combobox"]');
    if (box) {
      var shown = (box.getAttribute("aria-labelledby") || "").split(" ").filter(function (id) {
        return id && id !== nameId;
      });
      box.setAttribute("aria-labelledby", [nameId].concat(shown).join(" "));
    }
    // The chosen value's own box (role textbox, empty until a choice) is named by the label.
    container.querySelectorAll(".select2-selection__rendered").forEach(function (shown) {
      shown.setAttribute("aria-labelledby", nameId);
    });
    container.querySelectorAll("input.select2-search__field").forEach(function (input) {
      input.setAttribute("aria-label", text);
    });
  }

  function nameBoxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      if (select.name.indexOf("__prefix__") === -1) {
        nameBox(select);
      }
    });
  }

  // After Django's autocomplete.js has drawn the boxes: it does so in a jQuery ready handler,
  // registered before this (deferred) script's, so this one runs after it. Again when an
  // inline row is added, and when a choice redraws a box.
  var jq = window.django && window.django.jQuery;
  if (jq) {
    jq(nameBoxes);
    jq(document).on("change", "select.admin-autocomplete", function (event) {
      window.setTimeout(function () {
        nameBox(event.target);
      }, 0);
    });
  }
  window.addEventListener("load", nameBoxes);
  document.addEventListener("formset:added", function () {
    window.setTimeout(nameBoxes, 0);
  });
})();
