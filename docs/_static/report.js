// Keep a number such as "0.538 ± 0.039", "60,000" or "0.02%" on one line in the
// notebooks' tables: a narrow page then scrolls the table sideways (report.css) instead
// of breaking the number over three lines. Cells of words still wrap.
document.addEventListener("DOMContentLoaded", () => {
  const numeric = /^[\s\d.,:±%+\-−–×eE()[\]]+$/;
  for (const cell of document.querySelectorAll(".cell_output table td, .cell_output table th")) {
    if (numeric.test(cell.textContent)) {
      cell.classList.add("report-number");
    }
  }
});
