// Segment rows of the rule-set form: add a row from the template, remove one (marked for deletion), renumber.
(function () {
  const rows = document.getElementById("segment-rows");
  const add = document.getElementById("segment-add");
  const template = document.getElementById("segment-template");
  const total = document.querySelector("input[name=seg-TOTAL_FORMS]");
  if (!rows || !add || !template || !total) return;
  function renumber() {
    let n = 0;
    rows.querySelectorAll("tr.segment-row").forEach(function (row) {
      if (!row.classList.contains("d-none")) { n += 1; row.querySelector(".segment-no").textContent = n; }
    });
  }
  add.addEventListener("click", function () {
    const index = parseInt(total.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    renumber();
    const last = rows.querySelector("tr.segment-row:last-child input[type=text]");
    if (last) last.focus();
  });
  rows.addEventListener("click", function (event) {
    const button = event.target.closest(".segment-remove");
    if (!button) return;
    const row = button.closest("tr");
    row.querySelector(".segment-delete").checked = true;
    row.classList.add("d-none");
    renumber();
  });
})();
