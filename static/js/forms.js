// chibo's form helpers: rows added in the page, a search box over member lists, the phone's calendar beside a
// date box, and attendance taken by tapping. Each one improves markup that already works without script; the
// texts come from the page (data attributes), translated by the server. No style attribute and no inline code:
// the Content Security Policy forbids both.
(function () {
  "use strict";

  // Letters without their accents, lower case: "Đặng Thị Ánh" and "dang thi anh" match.
  function fold(text) {
    return (text || "")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase()
      .replace(/\s+/g, " ")
      .trim();
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fire(node, type) {
    node.dispatchEvent(new Event(type, { bubbles: true }));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Date boxes: dd/mm/yyyy typed, or picked on the browser's own calendar (its value is yyyy-mm-dd).
  // ---------------------------------------------------------------------------------------------------------

  function isoFromText(text) {
    var m = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$/.exec(text || "");
    if (m) return m[3] + "-" + ("0" + m[2]).slice(-2) + "-" + ("0" + m[1]).slice(-2);
    m = /^\s*(\d{4})-(\d{2})-(\d{2})\s*$/.exec(text || "");
    return m ? m[0].trim() : "";
  }

  function textFromIso(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? m[3] + "/" + m[2] + "/" + m[1] : "";
  }

  var SVG = "http://www.w3.org/2000/svg";

  function calendarIcon() {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("fill", "currentColor");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(SVG, "path");
    path.setAttribute(
      "d",
      "M3.5 0a.5.5 0 0 1 .5.5V1h8V.5a.5.5 0 0 1 1 0V1h1a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H2a2 2 0 0 1-2-2V3a2 2 0 0 1 " +
        "2-2h1V.5a.5.5 0 0 1 .5-.5M1 4v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V4zm2 2h2v2H3zm4 0h2v2H7zm4 0h2v2h-2zM3 " +
        "10h2v2H3zm4 0h2v2H7z"
    );
    svg.appendChild(path);
    return svg;
  }

  function enhanceDate(input) {
    if (input.dataset.pickerReady) return;
    var picker = document.createElement("input");
    picker.type = "date";
    if (picker.type !== "date") return; // a browser without a calendar: the box alone
    input.dataset.pickerReady = "1";
    var group = element("div", "input-group date-group");
    if (input.classList.contains("is-invalid")) group.classList.add("is-invalid", "has-validation");
    input.parentNode.insertBefore(group, input);
    group.appendChild(input);
    var button = element("span", "input-group-text date-pick");
    button.appendChild(calendarIcon());
    picker.className = "date-pick-native";
    picker.setAttribute("aria-label", input.dataset.datePicker);
    picker.min = "1900-01-01";
    picker.max = "2100-12-31";
    button.appendChild(picker);
    group.appendChild(button);
    function fromBox() {
      picker.value = isoFromText(input.value);
    }
    picker.addEventListener("focus", fromBox);
    picker.addEventListener("pointerdown", fromBox);
    picker.addEventListener("click", function () {
      fromBox();
      if (picker.showPicker) {
        try {
          picker.showPicker();
        } catch (e) {
          /* already open, or not allowed here: the browser shows its own */
        }
      }
    });
    picker.addEventListener("change", function () {
      if (!picker.value) return;
      input.value = textFromIso(picker.value);
      fire(input, "input");
      fire(input, "change");
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Shared lists: a long list that many selects offer (a cell's members, on every task row) comes once, in the
  // <template> the select names (data-options); the select holds only its blank and chosen options until the
  // list is put in, the chosen ones kept chosen.
  // ---------------------------------------------------------------------------------------------------------

  function fillOptions(select) {
    if (select.dataset.optionsReady) return;
    var source = document.getElementById(select.dataset.options);
    if (!source) return;
    select.dataset.optionsReady = "1";
    var chosen = {};
    var blanks = [];
    Array.prototype.forEach.call(select.options, function (option) {
      if (option.value === "") blanks.push(option);
      else if (option.selected) chosen[option.value] = true;
    });
    var options = document.createDocumentFragment();
    blanks.forEach(function (option) {
      options.appendChild(option);
    });
    source.content.querySelectorAll("option").forEach(function (option) {
      var copy = option.cloneNode(true);
      copy.selected = copy.defaultSelected = chosen[copy.value] === true;
      options.appendChild(copy);
    });
    select.textContent = "";
    select.appendChild(options);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Member pickers: a select (one or many) becomes the chosen names and a search box; the select stays in the
  // form, hidden from view, and is what is posted.
  // ---------------------------------------------------------------------------------------------------------

  function enhancePicker(select) {
    if (select.dataset.pickerReady) return;
    select.dataset.pickerReady = "1";
    var many = select.multiple;
    var box = element("div", "picker");
    var chosen = element("div", "picker-chosen");
    chosen.setAttribute("aria-live", "polite");
    var search = element("input", "form-control picker-search");
    search.type = "search";
    search.autocomplete = "off";
    search.placeholder = select.dataset.picker;
    var label = select.id && document.querySelector("label[for='" + select.id + "']");
    search.id = select.id + "_search";
    if (label) label.htmlFor = search.id;
    var list = element("div", "picker-list list-group");
    list.id = select.id + "_list";
    list.setAttribute("role", "listbox");
    if (many) list.setAttribute("aria-multiselectable", "true");
    list.hidden = true;
    search.setAttribute("role", "combobox");
    search.setAttribute("aria-controls", list.id);
    search.setAttribute("aria-expanded", "false");
    var none = element("div", "list-group-item text-body-secondary", select.dataset.pickerNone);
    select.classList.add("visually-hidden", "picker-source");
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");
    select.parentNode.insertBefore(box, select.nextSibling);
    box.appendChild(chosen);
    box.appendChild(search);
    box.appendChild(list);
    if (select.classList.contains("is-invalid")) search.classList.add("is-invalid");

    var options = Array.prototype.filter.call(select.options, function (o) {
      return o.value !== "";
    });
    var keys = options.map(function (o) {
      return fold(o.text);
    });

    function parts(text) {
      var bits = text.split(" · ");
      return { name: bits[0], rest: bits.slice(1).join(" · ") };
    }

    function showChosen() {
      chosen.textContent = "";
      options.forEach(function (option) {
        if (!option.selected) return;
        var chip = element("span", "picker-chip");
        chip.appendChild(element("span", "", parts(option.text).name));
        var remove = element("button", "picker-remove", "×");
        remove.type = "button";
        remove.setAttribute("aria-label", select.dataset.pickerRemove + " " + parts(option.text).name);
        remove.addEventListener("click", function () {
          option.selected = false;
          fire(select, "change");
          search.focus();
        });
        chip.appendChild(remove);
        chosen.appendChild(chip);
      });
    }

    function showList() {
      var query = fold(search.value);
      list.textContent = "";
      var shown = 0;
      options.forEach(function (option, i) {
        if (query && keys[i].indexOf(query) === -1) return;
        shown += 1;
        var item = element("button", "list-group-item list-group-item-action picker-option");
        item.type = "button";
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", option.selected ? "true" : "false");
        if (option.selected) item.classList.add("active");
        var bits = parts(option.text);
        item.appendChild(element("span", "picker-name", bits.name));
        if (bits.rest) item.appendChild(element("span", "picker-rest", bits.rest));
        item.addEventListener("click", function () {
          if (many) {
            option.selected = !option.selected;
          } else {
            option.selected = true;
            search.value = "";
            close();
          }
          fire(select, "change");
          if (many) {
            showList();
            search.focus();
          }
        });
        list.appendChild(item);
      });
      if (!shown) list.appendChild(none);
      list.hidden = false;
      search.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      search.setAttribute("aria-expanded", "false");
    }

    search.addEventListener("input", showList);
    search.addEventListener("focus", showList);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        close();
      } else if (event.key === "Enter") {
        event.preventDefault(); // never send the whole page from the search box
        var first = list.querySelector(".picker-option");
        if (first && !list.hidden) first.click();
      } else if (event.key === "ArrowDown" && !list.hidden) {
        event.preventDefault();
        var option = list.querySelector(".picker-option");
        if (option) option.focus();
      }
    });
    document.addEventListener("click", function (event) {
      // A tap on a name redraws the list: the button tapped is no longer in the page, but was in the box.
      if (event.target.isConnected && !box.contains(event.target) && !list.hidden) close();
    });
    select.addEventListener("change", function () {
      showChosen();
      if (!list.hidden) showList();
    });
    showChosen();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Formset rows: "add" copies the blank row of the <template>, "remove" on a row not yet saved marks it deleted
  // and hides it. The limit is the formset's own; the message comes from the page.
  // ---------------------------------------------------------------------------------------------------------

  function enhance(root) {
    root.querySelectorAll("select[data-options]").forEach(fillOptions);
    root.querySelectorAll("input[data-date-picker]").forEach(enhanceDate);
    root.querySelectorAll("select[data-picker]").forEach(enhancePicker);
    root.querySelectorAll("[data-formset-remove]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function addRow(section) {
    var prefix = section.dataset.formset;
    var total = section.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = section.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var message = section.querySelector("[data-formset-message]");
    var count = parseInt(total.value, 10) || 0;
    if (max && count >= parseInt(max.value, 10)) {
      message.hidden = false;
      return;
    }
    var html = section
      .querySelector("template[data-formset-empty]")
      .innerHTML.replace(/__prefix__/g, String(count))
      .replace(/__number__/g, String(count + 1));
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var row = holder.content.firstElementChild;
    section.querySelector("[data-formset-rows]").appendChild(row);
    total.value = String(count + 1);
    enhance(row);
    var first = row.querySelector("input[type='text'], input:not([type]), textarea");
    if (first) first.focus();
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-formset-add]");
    if (add) {
      var section = add.closest("[data-formset]");
      if (section && section.querySelector("template[data-formset-empty]")) {
        event.preventDefault();
        addRow(section);
      }
      return;
    }
    var remove = event.target.closest("[data-formset-remove]");
    if (remove) {
      var row = remove.closest("[data-formset-row]");
      var deleted = row.querySelector("input[name$='-DELETE']");
      if (deleted) deleted.checked = true;
      row.hidden = true;
      var button = row.closest("[data-formset]").querySelector("[data-formset-add]");
      if (button) button.focus();
    }
  });

  // A saved row ticked for deletion is dimmed until the page is saved (unticking brings it back).
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type !== "checkbox" || !/-DELETE$/.test(box.name)) return;
    var row = box.closest("[data-formset-row]");
    if (row) row.classList.toggle("formset-row-deleted", box.checked);
  });

  // Enter in a one-line box of a page with rows (the phone's "Go" key) neither adds a row nor sends the page:
  // the form's first button is "add a target". The page is sent by its own button.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || target.tagName !== "INPUT" || !target.form) return;
    if (target.form.querySelector("[data-formset]")) event.preventDefault();
  });

  // ---------------------------------------------------------------------------------------------------------
  // Attendance: a search over the names, each member a button that marks them present or absent, the absent
  // with or without a reason, and the counts kept up to date. The selects and reason boxes underneath are the
  // form; on a desk they stay in view.
  // ---------------------------------------------------------------------------------------------------------

  var ATTENDED = ["present", "late"];
  var NOT_EXPECTED = ["exempt", "away"];

  function enhanceAttendance(form) {
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-attendance-row]"));
    var counts = form.querySelector("[data-attendance-counts]");
    var search = form.querySelector("[data-attendance-search]");
    var empty = form.querySelector("[data-attendance-empty]");
    var labels = {
      kind: form.dataset.kindLabel,
      absent_reason: form.dataset.withReasonLabel,
      absent_no_reason: form.dataset.withoutReasonLabel,
    };
    form.classList.add("attendance-enhanced");
    counts.hidden = false;
    search.closest("[data-attendance-tools]").hidden = false;

    function update() {
      var n = { attended: 0, absent_reason: 0, absent_no_reason: 0, expected: 0 };
      rows.forEach(function (row) {
        var status = row.querySelector("select").value;
        if (ATTENDED.indexOf(status) !== -1) n.attended += 1;
        if (status in n) n[status] += 1;
        if (NOT_EXPECTED.indexOf(status) === -1) n.expected += 1;
      });
      Object.keys(n).forEach(function (key) {
        counts.querySelector("[data-count='" + key + "']").textContent = String(n[key]);
      });
    }

    rows.forEach(function (row) {
      var select = row.querySelector("select");
      var reason = row.querySelector("input[type='text']");
      var initial = select.value;
      var name = row.dataset.name;
      var key = fold(name);
      var toggle = element("button", "btn attendance-toggle");
      toggle.type = "button";
      var toggleName = element("span", "attendance-name", name);
      var toggleState = element("span", "attendance-state");
      toggle.appendChild(toggleName);
      toggle.appendChild(toggleState);
      var kinds = element("div", "btn-group attendance-kinds");
      kinds.setAttribute("role", "group");
      kinds.setAttribute("aria-label", labels.kind + " " + name);
      ["absent_reason", "absent_no_reason"].forEach(function (status) {
        var kind = element("button", "btn btn-sm btn-outline-secondary", labels[status]);
        kind.type = "button";
        kind.dataset.status = status;
        kind.addEventListener("click", function () {
          select.value = status;
          fire(select, "change");
          if (status === "absent_reason") reason.focus();
        });
        kinds.appendChild(kind);
      });
      row.querySelector("[data-attendance-tap]").appendChild(toggle);
      row.querySelector("[data-attendance-tap]").appendChild(kinds);

      function show() {
        var status = select.value;
        var attended = ATTENDED.indexOf(status) !== -1;
        var absent = status === "absent_reason" || status === "absent_no_reason";
        toggle.classList.toggle("btn-outline-success", attended);
        toggle.classList.toggle("btn-outline-danger", absent);
        toggle.classList.toggle("btn-outline-secondary", !attended && !absent);
        toggle.setAttribute("aria-pressed", attended ? "true" : "false");
        toggleState.textContent = select.options[select.selectedIndex].text;
        kinds.hidden = !absent;
        kinds.querySelectorAll("button").forEach(function (kind) {
          var on = kind.dataset.status === status;
          kind.classList.toggle("active", on);
          kind.setAttribute("aria-pressed", on ? "true" : "false");
        });
        row.classList.toggle("attendance-absent", absent);
        update();
      }

      toggle.addEventListener("click", function () {
        if (ATTENDED.indexOf(select.value) !== -1) {
          // Absent: as they were expected to be (excused, away, exempt), else absent without a reason.
          select.value = ATTENDED.indexOf(initial) === -1 ? initial : "absent_no_reason";
        } else {
          select.value = "present";
        }
        fire(select, "change");
      });
      select.addEventListener("change", show);
      row.dataset.key = key;
      show();
    });

    search.addEventListener("input", function () {
      var query = fold(search.value);
      var shown = 0;
      rows.forEach(function (row) {
        var match = !query || row.dataset.key.indexOf(query) !== -1;
        row.hidden = !match;
        if (match) shown += 1;
      });
      empty.hidden = shown > 0;
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault(); // never save the attendance from the search box
    });
    var full = form.querySelector("[data-attendance-full]");
    full.addEventListener("click", function () {
      var on = form.classList.toggle("attendance-full");
      full.setAttribute("aria-pressed", on ? "true" : "false");
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    document.querySelectorAll("[data-attendance]").forEach(enhanceAttendance);
  });
})();
