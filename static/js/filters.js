// A list's filter panel (templates/_filters.html) starts open, so it works without
// JavaScript; on a phone it is folded away so the results come first.
(function () {
  "use strict";
  if (!window.matchMedia("(max-width: 40rem)").matches) return;
  document.querySelectorAll("details.filter-panel[open]").forEach(function (panel) {
    panel.open = false;
  });
})();
