// Small keyboard extras on top of pages that work without them. Loaded with `defer` from
// 'self'; no inline handlers anywhere, so the strict CSP can stay on.
(function () {
  "use strict";

  function isTyping(target) {
    if (!(target instanceof HTMLElement)) return false;
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  // Filter links stay short and shareable: htmx GETs leave out the filters left empty.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.formData;
    if (event.detail.verb !== "get" || !(form instanceof FormData)) return;
    var empty = [];
    form.forEach(function (value, key) {
      if (value === "") empty.push(key);
    });
    empty.forEach(function (key) {
      form.delete(key);
    });
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;

    // "/" jumps to the search box, as in most inboxes.
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(target)) {
      var search = document.querySelector("[data-shortcut='/']");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
      return;
    }

    // Escape leaves the search box.
    if (event.key === "Escape" && target instanceof HTMLElement && target.matches("[data-shortcut='/']")) {
      target.blur();
      return;
    }

    // Ctrl+Enter (Cmd+Enter on a Mac) sends the form a textarea belongs to.
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target instanceof HTMLTextAreaElement) {
      var form = target.form;
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
    }
  });
})();
