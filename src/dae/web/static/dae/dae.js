/* Behaviour that pages ask for with data- attributes, so that no page needs an inline script or handler
   (the Content-Security-Policy allows scripts from this site only):
   data-autosubmit   on a <select>: submit its form when it changes
   data-print        on a button: print the page
   data-confirm="…"  on a <form>: ask before submitting
   data-add-row      on the trial calculation's "add row" button (benefits/trial.html)
   data-no-context-menu  on an element: no right-click menu inside it (an archive read under watermark) */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
  });
  document.addEventListener("click", function (event) {
    var el = event.target && event.target.closest ? event.target.closest("[data-print]") : null;
    if (el) { event.preventDefault(); window.print(); return; }
    var add = event.target && event.target.closest ? event.target.closest("[data-add-row]") : null;
    if (add) {
      var total = document.getElementById("id_s-TOTAL_FORMS");
      var html = document.getElementById("trial-row-template").innerHTML.replace(/__prefix__/g, total.value);
      document.querySelector("#trial-rows tbody").insertAdjacentHTML("beforeend", html);
      total.value = parseInt(total.value, 10) + 1;
    }
  });
  document.addEventListener("contextmenu", function (event) {
    if (event.target && event.target.closest && event.target.closest("[data-no-context-menu]")) { event.preventDefault(); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  }, true);
})();
