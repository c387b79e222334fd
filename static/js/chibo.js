// chibo's own behaviour, kept out of the HTML so that a strict Content Security Policy can forbid inline scripts.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-action='print']")) {
    window.print();
  }
});

// On a phone the cell's tabs scroll sideways: bring the current one into view.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".nav.overflow-auto .nav-link.active").forEach(function (tab) {
    var bar = tab.closest(".overflow-auto");
    bar.scrollLeft = tab.offsetLeft - (bar.clientWidth - tab.offsetWidth) / 2;
  });
});
