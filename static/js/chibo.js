// chibo's own behaviour, kept out of the HTML so that a strict Content Security Policy can forbid inline scripts.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-action='print']")) {
    window.print();
  }
});
