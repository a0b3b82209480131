// The dashboard's dialogs (templates/isova/dashboard.html): "Review and sign", "Assign" and
// "New action" load their form into one <dialog> with htmx, which opens modal with the focus
// on its first field; Escape or Close shuts it and the focus goes back to the button that
// opened it (or, when a refreshed panel no longer has that button, to the panel's heading).
// A saved form answers with the `dashboard-changed` event (HX-Trigger): the dialog closes, the
// news is said, and every panel slot reloads (hx-trigger "dashboard-changed from:body").
(function () {
  "use strict";
  var dialog = document.getElementById("dashboard-dialog");
  var body = document.getElementById("dashboard-dialog-body");
  var news = document.getElementById("dashboard-news");
  if (!dialog || !body) return;
  var opener = null;
  var openerId = "";
  var openerPanel = null;

  function firstField() {
    return body.querySelector(
      "[autofocus], input:not([type=hidden]):not([disabled]), textarea, select, button"
    );
  }

  function open(trigger) {
    if (trigger) {
      opener = trigger;
      openerId = trigger.id || "";
      openerPanel = trigger.closest(".panel-slot");
    }
    // named by the fragment's own heading (the empty dialog has none to name it by)
    if (document.getElementById("dashboard-dialog-title")) {
      dialog.setAttribute("aria-labelledby", "dashboard-dialog-title");
    }
    if (!dialog.open) dialog.showModal();
    var field = firstField();
    if (field) field.focus();
  }

  function restoreFocus() {
    var target = opener && opener.isConnected ? opener : openerId && document.getElementById(openerId);
    if (!target && openerPanel && openerPanel.isConnected) {
      target = openerPanel.querySelector("h2");
      if (target) target.setAttribute("tabindex", "-1");
    }
    if (target) target.focus();
  }

  function fromDialog(event) {
    var target = event.detail && event.detail.target;
    return target === body || (target && body.contains(target)) || target === dialog;
  }

  // A fragment swapped into the dialog: open it (or keep it open) with the focus inside.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (!fromDialog(event)) return;
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    open(trigger && !body.contains(trigger) ? trigger : null);
  });

  // Refused (403, 404) or unreachable: say so inside the dialog, never fail silently.
  function refused(event) {
    if (!fromDialog(event)) return;
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var text = status === 403
      ? "Your role cannot do this."
      : status === 404
        ? "This is no longer here: it may have been changed or removed. Reload the page."
        : "This could not be done just now. Try again, or reload the page.";
    var heading = document.createElement("h2");
    heading.id = "dashboard-dialog-title";
    heading.textContent = "Not done";
    var message = document.createElement("p");
    message.className = "inline-error";
    message.setAttribute("role", "alert");
    message.textContent = text;
    body.replaceChildren(heading, message);
    open(trigger && !body.contains(trigger) ? trigger : null);
  }
  document.body.addEventListener("htmx:responseError", refused);
  document.body.addEventListener("htmx:sendError", refused);

  // Saved: close, say what changed; the panels reload themselves on the same event.
  document.body.addEventListener("dashboard-changed", function (event) {
    if (news && event.detail && event.detail.message) {
      news.textContent = event.detail.message;
      news.hidden = false;
    }
    if (dialog.open) dialog.close();
  });

  dialog.addEventListener("close", function () {
    body.replaceChildren();
    dialog.removeAttribute("aria-labelledby");
    restoreFocus();
  });

  // A panel refreshed under the focus (its button gone): put the focus back where it was.
  // A form answered in the dialog (a wrong password, a bad date): the focus stays inside.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (dialog.open) {
      if (!dialog.contains(document.activeElement)) {
        var field = firstField();
        if (field) field.focus();
      }
      return;
    }
    if (!openerPanel || event.detail.target !== openerPanel) return;
    if (document.activeElement === document.body || !document.activeElement) restoreFocus();
  });

  // Escape closes the dialog from any field (a search box would take it to clear itself).
  dialog.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    event.preventDefault();
    dialog.close();
  });

  dialog.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-dialog-close]");
    if (closer) {
      dialog.close();
      return;
    }
    // An owner suggestion: fill in the field it belongs to.
    var pick = event.target.closest("[data-pick-value]");
    if (!pick) return;
    var box = document.getElementById(pick.getAttribute("data-pick-box"));
    var input = box && dialog.querySelector('[aria-controls="' + box.id + '"]');
    if (!input) return;
    input.value = pick.getAttribute("data-pick-value");
    box.replaceChildren();
    input.focus();
  });
})();
