/* Workspace behaviour: keyboard shortcuts and line-page tabs. No inline scripts (CSP). */
(function () {
  "use strict";

  // "/" focuses the search box from anywhere except a text field.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var box = document.getElementById("global-search");
    if (box) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });

  // Line-page tabs: mark the clicked tab active; arrow keys move between tabs.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-tab-link]");
    if (!link) return;
    link.closest(".nav").querySelectorAll("[data-tab-link]").forEach(function (other) {
      other.classList.toggle("active", other === link);
      other.setAttribute("aria-selected", other === link ? "true" : "false");
    });
  });
  document.addEventListener("keydown", function (event) {
    var link = event.target.closest && event.target.closest("[data-tab-link]");
    if (!link || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) return;
    var links = Array.prototype.slice.call(link.closest(".nav").querySelectorAll("[data-tab-link]"));
    var index = links.indexOf(link) + (event.key === "ArrowRight" ? 1 : -1);
    var next = links[(index + links.length) % links.length];
    next.focus();
    next.click();
  });
})();
