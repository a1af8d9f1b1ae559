/* Workspace behaviour: keyboard shortcuts, the shortcut help and line-page tabs. No inline scripts (CSP).
 *
 * Keyboard shortcuts, opted in by markup (no script per page):
 *   data-shortcut="KEYS"       on a link or button: pressing KEYS clicks it (a link opens, a tab shows, a button
 *                              acts) and moves the focus onto it. KEYS is one key ("b", "1") or "g" then a key
 *                              ("g d"), case-sensitive, never with Alt, Ctrl or Meta (no AltGr chords on any layout).
 *   data-shortcut-label="…"    what the help list says it does (default: the element's aria-label, then its text).
 *   data-shortcut-help         on a button: opens the help list (as "?" does).
 * Built in: "/" puts the cursor in the search box, "?" lists every shortcut of the page (the <dialog> in
 * base.html; its rows for data-shortcut elements are added here), Esc closes the list, and Esc in a text field
 * leaves the field (most pages open with the cursor in the search box).
 * No shortcut fires while the cursor is in a field (input, textarea, select, contenteditable) or a dialog is open,
 * so typing "g", "1" or "?" into a form always types. Hidden or disabled elements are skipped.
 * Conventions: digits 1–9 for the line page's tabs, single letters for the line's actions, "g" + letter for pages.
 */
(function () {
  "use strict";

  var SEQUENCE_MS = 1500;  // how long "g" waits for its second key
  var pendingPrefix = "";
  var pendingTimer = null;

  function typingIn(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function visible(element) {
    return !!(element.offsetWidth || element.offsetHeight || element.getClientRects().length) &&
      !element.disabled && element.getAttribute("aria-disabled") !== "true";
  }

  function shortcutTargets() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-shortcut]"), visible);
  }

  function labelOf(element) {
    return (element.getAttribute("data-shortcut-label") || element.getAttribute("aria-label") ||
            element.textContent || "").replace(/\s+/g, " ").trim();
  }

  function activate(element) {
    element.focus();
    element.click();
  }

  function helpDialog() {
    return document.getElementById("shortcut-help");
  }

  function openHelp() {
    var dialog = helpDialog();
    if (!dialog || dialog.open) return;
    var rows = document.getElementById("shortcut-help-rows");
    rows.querySelectorAll("tr[data-page-shortcut]").forEach(function (row) { row.remove(); });
    shortcutTargets().forEach(function (element) {
      var row = document.createElement("tr");
      row.setAttribute("data-page-shortcut", "");
      var keys = document.createElement("td");
      element.getAttribute("data-shortcut").split(" ").forEach(function (key, index) {
        if (index) keys.appendChild(document.createTextNode(" "));
        var kbd = document.createElement("kbd");
        kbd.textContent = key;
        keys.appendChild(kbd);
      });
      var does = document.createElement("td");
      does.textContent = labelOf(element);
      row.appendChild(keys);
      row.appendChild(does);
      rows.appendChild(row);
    });
    dialog.showModal();  // the dialog takes the focus; Esc closes it and the focus returns
  }

  function clearPrefix() {
    pendingPrefix = "";
    if (pendingTimer) clearTimeout(pendingTimer);
    pendingTimer = null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (typingIn(event.target)) {
      // Esc leaves a text field (the search box has the cursor on most pages), so that shortcuts work again.
      if (event.key === "Escape" && event.target.tagName !== "SELECT") event.target.blur();
      return;
    }
    var dialog = helpDialog();
    if (dialog && dialog.open) return;  // the open dialog handles its own keys (Esc closes it)
    var key = event.key;
    if (key.length !== 1) return;

    if (!pendingPrefix && key === "/") {
      var box = document.getElementById("global-search");
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
      return;
    }
    if (!pendingPrefix && key === "?") {
      event.preventDefault();
      openHelp();
      return;
    }
    var keys = pendingPrefix ? pendingPrefix + " " + key : key;
    var targets = shortcutTargets();
    var match = targets.filter(function (element) { return element.getAttribute("data-shortcut") === keys; })[0];
    if (match) {
      event.preventDefault();
      clearPrefix();
      activate(match);
      return;
    }
    var isPrefix = !pendingPrefix && targets.some(function (element) {
      return element.getAttribute("data-shortcut").indexOf(key + " ") === 0;
    });
    clearPrefix();
    if (isPrefix) {
      event.preventDefault();
      pendingPrefix = key;
      pendingTimer = setTimeout(clearPrefix, SEQUENCE_MS);
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcut-help]")) {
      openHelp();
    } else if (event.target.closest("[data-shortcut-help-close]")) {
      var dialog = helpDialog();
      if (dialog) dialog.close();
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
