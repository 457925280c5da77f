// Collision warning: while the reply box has focus, the conversation page's heartbeat says
// so ("typing"), and sends one heartbeat at once. Loaded from 'self'; no inline handlers.
(function () {
  "use strict";
  if (window.carelineAssignment) return; // htmx re-runs this script when it swaps the case in
  window.carelineAssignment = true;

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
