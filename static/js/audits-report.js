// The audit report page: a "Print" button (the page prints well without it, too).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print-report");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
