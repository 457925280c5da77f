// Collision warning: while the reply box has focus, the conversation page's heartbeat says
// so ("typing"), and sends one heartbeat at once. Loaded on every page from 'self' (does
// nothing without the presence form); no inline handlers.
(function () {
  "use strict";

  function isComposer(target) {
    return target instanceof HTMLTextAreaElement && target.closest(".composer") !== null;
  }

  function setTyping(on) {
    var form = document.querySelector("form[data-presence]");
    if (!form) return;
    var input = form.querySelector("input[name='typing']");
    var value = on ? "1" : "";
    if (!input || input.value === value) return;
    input.value = value;
    if (window.htmx) window.htmx.trigger(form, "careline-typing");
  }

  document.addEventListener("focusin", function (event) {
    if (isComposer(event.target)) setTyping(true);
  });
  document.addEventListener("focusout", function (event) {
    if (isComposer(event.target)) setTyping(false);
  });
})();
