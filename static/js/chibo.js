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

// "Are you sure?" before an irreversible step (templates/includes/_confirm.html): a button or form with
// data-confirm opens a dialog saying what will happen and how to undo it; "yes" submits the form again with
// confirmed=yes, which the server checks where the question must also be asked without JavaScript.
(function () {
  function fieldMatches(form, rule) {
    if (!rule) return true;
    var parts = rule.split("=");
    var field = form.elements.namedItem(parts[0]);
    return Boolean(field) && field.value === parts.slice(1).join("=");
  }

  function dialogFor(source, onYes) {
    var dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    var title = document.createElement("h2");
    title.className = "h5";
    title.id = "confirm-dialog-title";
    title.textContent = source.dataset.confirmTitle || "?";
    var text = document.createElement("p");
    text.textContent = source.dataset.confirm;
    dialog.append(title, text);
    if (source.dataset.confirmUndo) {
      var undo = document.createElement("p");
      undo.className = "small text-body-secondary";
      undo.textContent = source.dataset.confirmUndo;
      dialog.append(undo);
    }
    var buttons = document.createElement("div");
    buttons.className = "d-flex flex-wrap gap-2 justify-content-end";
    var no = document.createElement("button");
    no.type = "button";
    no.className = "btn btn-outline-secondary";
    no.textContent = source.dataset.confirmNo || "×";
    var yes = document.createElement("button");
    yes.type = "button";
    yes.className = "btn btn-danger";
    yes.textContent = source.dataset.confirmYes || "OK";
    buttons.append(no, yes);
    dialog.append(buttons);
    no.addEventListener("click", function () { dialog.close(); });
    yes.addEventListener("click", function () { dialog.close(); onYes(); });
    dialog.addEventListener("close", function () { dialog.remove(); });
    document.body.append(dialog);
    return dialog;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var source = submitter && submitter.dataset.confirm ? submitter : form.dataset.confirm ? form : null;
    if (!source || form.dataset.confirmed === "yes" || !fieldMatches(form, source.dataset.confirmWhen)) return;
    event.preventDefault();
    dialogFor(source, function () {
      var flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "confirmed";
      flag.value = "yes";
      form.append(flag);
      form.dataset.confirmed = "yes";
      if (submitter && form.requestSubmit) {
        form.requestSubmit(submitter);
      } else {
        form.submit();
      }
    }).showModal();
  });
})();
