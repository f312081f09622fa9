/* The patient page works without this file. With it:
   - treatment names get suggestions as you type (an ARIA 1.2 combobox over the drug vocabulary);
   - "Add another treatment" adds a box without a reload;
   - on the result page, your own questions join the list without a reload (so no tick is lost),
     "Keep only the top questions" and "Untick all questions" change the ticks in place, the count
     of kept questions stays right, and a Print button appears.
   Nothing is stored: no cookies, no local storage. Every word shown comes from the page itself
   (data-text-* attributes), so it is held to the same plain-language test. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function fold(text) {
    return text.toLowerCase().replace(/[®™]/g, "").replace(/[\s_\-]+/g, " ").trim();
  }

  /* ---------- Suggestions as you type ---------- */

  var MAX_SHOWN = 8;

  function Suggestions(form) {
    this.form = form;
    this.names = [];
    this.openers = [];
    this.status = document.getElementById("drug-status");
    this.textFound = form.getAttribute("data-text-found") || "";
    this.textNone = form.getAttribute("data-text-none") || "";
    var self = this;
    var url = form.getAttribute("data-drug-names");
    if (url && window.fetch) {
      window.fetch(url, { credentials: "omit" })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (names) {
          self.names = names.map(function (item) {
            return { name: item.name, note: item.note, folded: fold(item.name), foldedNote: fold(item.note || "") };
          });
          // Someone may have typed before the names arrived: show their suggestions now.
          self.openers.forEach(function (opener) { opener(); });
        })
        .catch(function () { self.names = []; });
    }
  }

  Suggestions.prototype.find = function (typed) {
    var query = fold(typed);
    if (!query) { return []; }
    var starts = [], inside = [];
    this.names.forEach(function (item) {
      if (item.folded.indexOf(query) === 0) { starts.push(item); }
      else if (item.folded.indexOf(query) > 0 || item.foldedNote.indexOf(query) === 0) { inside.push(item); }
    });
    return starts.concat(inside).slice(0, MAX_SHOWN);
  };

  Suggestions.prototype.announce = function (text) {
    if (!this.status) { return; }
    this.status.textContent = "";
    var status = this.status;
    window.setTimeout(function () { status.textContent = text; }, 50);
  };

  Suggestions.prototype.enhance = function (input) {
    if (input.getAttribute("role") === "combobox") { return; }
    var self = this;
    var listId = input.id + "-suggestions";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.labels && input.labels[0] ? input.labels[0].textContent : "");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.removeAttribute("list");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    var active = -1;
    var shown = [];

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
      shown = [];
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function pick(index) {
      if (index < 0 || index >= shown.length) { return; }
      input.value = shown[index].name;
      close();
      input.focus();
    }

    function open() {
      shown = self.find(input.value);
      list.innerHTML = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!shown.length || (shown.length === 1 && shown[0].folded === fold(input.value))) {
        close();
        if (fold(input.value).length > 1 && !shown.length) { self.announce(self.textNone); }
        return;
      }
      shown.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = listId + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.appendChild(document.createTextNode(item.name));
        if (item.note) {
          var note = document.createElement("span");
          note.className = "note";
          note.textContent = " (" + item.note + ")";
          option.appendChild(note);
        }
        // Keep the focus in the box while a pointer picks an option.
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { pick(index); });
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      self.announce(fill(self.textFound, { count: shown.length }));
    }

    input.addEventListener("input", open);
    self.openers.push(function () {
      if (document.activeElement === input && input.value) { open(); }
    });
    input.addEventListener("keydown", function (event) {
      var isOpen = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!isOpen) { open(); }
        if (shown.length) { highlight(active + 1 >= shown.length ? 0 : active + 1); }
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (shown.length) { highlight(active <= 0 ? shown.length - 1 : active - 1); }
      } else if (event.key === "Enter") {
        if (isOpen && active >= 0) { event.preventDefault(); pick(active); }
      } else if (event.key === "Escape") {
        if (isOpen) { event.preventDefault(); close(); }
      } else if (event.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
  };

  /* ---------- Add another treatment without a reload ---------- */

  var MAX_TREATMENTS = 50;

  function setUpTreatments(form, suggestions) {
    var button = document.getElementById("add-treatment");
    var rows = form.querySelector(".treatment-rows");
    if (!button || !rows) { return; }
    var legendText = form.getAttribute("data-text-treatment") || "";
    button.addEventListener("click", function (event) {
      var all = rows.querySelectorAll("fieldset.treatment");
      if (!all.length || all.length >= MAX_TREATMENTS) { return; }
      event.preventDefault();
      var last = all[all.length - 1];
      var from = "treatment-" + last.getAttribute("data-row") + "-";
      var index = all.length;
      var to = "treatment-" + index + "-";
      var row = last.cloneNode(true);
      row.setAttribute("data-row", String(index));
      row.id = "treatment-" + index;
      row.querySelectorAll(".field-error, .suggestions").forEach(function (node) { node.remove(); });
      row.querySelectorAll(".has-error").forEach(function (node) { node.classList.remove("has-error"); });
      row.querySelectorAll("[id], [name], [for], [aria-describedby], [aria-controls]").forEach(function (node) {
        ["id", "name", "for", "aria-describedby", "aria-controls"].forEach(function (attribute) {
          var value = node.getAttribute(attribute);
          if (value) {
            node.setAttribute(attribute, value.split(from).join(to).split(" ").filter(function (id) {
              return id.slice(-6) !== "-error";
            }).join(" "));
          }
        });
        node.removeAttribute("aria-invalid");
        node.removeAttribute("autofocus");
      });
      row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      row.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
      var drug = row.querySelector(".drug-input");
      if (drug) {
        ["role", "aria-autocomplete", "aria-expanded", "aria-controls", "aria-activedescendant"].forEach(function (a) {
          drug.removeAttribute(a);
        });
      }
      row.querySelector("legend").textContent = fill(legendText, { number: index + 1 });
      rows.appendChild(row);
      if (drug) {
        suggestions.enhance(drug);
        drug.focus();
      }
      if (index + 1 >= MAX_TREATMENTS) { button.hidden = true; }
    });
  }

  /* ---------- The question list ---------- */

  function setUpQuestions(form) {
    var list = document.getElementById("question-list");
    var count = document.getElementById("questions-count");
    var status = document.getElementById("questions-status");
    var input = document.getElementById("new-question");
    var addButton = document.getElementById("add-question");
    var printButton = document.getElementById("print-button");
    var countText = form.getAttribute("data-text-count") || "";

    function boxes() { return form.querySelectorAll("input[type=checkbox]"); }

    function updateCount() {
      if (!count) { return; }
      var all = boxes();
      if (!all.length) { return; }
      var kept = form.querySelectorAll("input[type=checkbox]:checked").length;
      count.textContent = fill(countText, { kept: kept, total: all.length });
    }

    function say(text) {
      if (!status) { return; }
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }

    function showError(text) {
      var field = input.closest(".field");
      var id = "new-question-error";
      var error = document.getElementById(id);
      if (!error) {
        error = document.createElement("p");
        error.id = id;
        error.className = "field-error";
        field.insertBefore(error, field.querySelector(".inline-row"));
      }
      error.textContent = "";
      var prefix = document.createElement("span");
      prefix.className = "visually-hidden";
      prefix.textContent = (form.getAttribute("data-text-error") || "") + " ";
      error.appendChild(prefix);
      error.appendChild(document.createTextNode(text));
      field.classList.add("has-error");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
    }

    function clearError() {
      var error = document.getElementById("new-question-error");
      if (error) { error.remove(); }
      input.closest(".field").classList.remove("has-error");
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    }

    form.addEventListener("change", updateCount);

    // "Keep only the top questions" and "Untick all questions" work on the server without
    // JavaScript; with it, the ticks change here and nothing else on the page moves.
    var keepTop = document.getElementById("keep-top");
    var untickAll = document.getElementById("untick-all");
    function setTicks(keepTopList) {
      Array.prototype.forEach.call(boxes(), function (box) {
        box.checked = keepTopList && list.contains(box);
      });
      updateCount();
      if (count) { say(count.textContent); }
    }
    if (keepTop) {
      keepTop.addEventListener("click", function (event) { event.preventDefault(); setTicks(true); });
    }
    if (untickAll) {
      untickAll.addEventListener("click", function (event) { event.preventDefault(); setTicks(false); });
    }

    // On paper, a question ticked under Background prints even if that part was closed again.
    window.addEventListener("beforeprint", function () {
      form.querySelectorAll("details").forEach(function (details) {
        if (details.querySelector("input[type=checkbox]:checked")) { details.open = true; }
      });
    });

    if (addButton && input) {
      addButton.addEventListener("click", function (event) {
        event.preventDefault();
        var text = input.value.replace(/\s+/g, " ").trim().slice(0, 400);
        if (!text) {
          showError(form.getAttribute("data-text-empty") || "");
          input.focus();
          return;
        }
        clearError();
        var existing = Array.prototype.filter.call(boxes(), function (box) {
          return box.value === text || (box.labels && box.labels[0] && box.labels[0].textContent === text);
        });
        if (existing.length) {
          existing[0].checked = true;
        } else {
          var number = list.querySelectorAll("li.question").length + 1;
          var id = "q-own-" + number;
          while (document.getElementById(id)) { number += 1; id = "q-own-" + number; }
          var item = document.createElement("li");
          item.className = "question own";
          var hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = "own";
          hidden.value = text;
          var box = document.createElement("input");
          box.type = "checkbox";
          box.id = id;
          box.name = "keep_own";
          box.value = text;
          box.checked = true;
          var label = document.createElement("label");
          label.htmlFor = id;
          label.textContent = text;
          var answer = document.createElement("span");
          answer.className = "answer print-only";
          answer.setAttribute("aria-hidden", "true");
          var answerLabel = document.createElement("span");
          answerLabel.className = "answer-label";
          answerLabel.textContent = form.getAttribute("data-text-notes") || "";
          answer.appendChild(answerLabel);
          for (var i = 0; i < 2; i++) {
            var line = document.createElement("span");
            line.className = "line";
            answer.appendChild(line);
          }
          item.appendChild(hidden);
          item.appendChild(box);
          item.appendChild(label);
          item.appendChild(answer);
          // The person's own questions come first, in the order they were added.
          var own = list.querySelectorAll("li.question.own");
          var after = own.length ? own[own.length - 1].nextSibling : list.firstChild;
          list.insertBefore(item, after);
        }
        input.value = "";
        updateCount();
        say(form.getAttribute("data-text-added") || "");
        input.focus();
      });
    }

    // Enter in the question box presses the form's first (hidden) button: add here, without a reload.
    form.addEventListener("submit", function (event) {
      var by = event.submitter;
      if (addButton && by && by !== addButton && by.value === "add_question") {
        event.preventDefault();
        addButton.click();
      }
    });

    if (printButton) {
      printButton.hidden = false;
      printButton.addEventListener("click", function () { window.print(); });
    }
    updateCount();
  }

  function start() {
    var form = document.getElementById("profile-form");
    if (form) {
      var suggestions = new Suggestions(form);
      form.querySelectorAll(".drug-input").forEach(function (input) { suggestions.enhance(input); });
      setUpTreatments(form, suggestions);
    }
    var questions = document.getElementById("questions-form");
    if (questions) { setUpQuestions(questions); }
    var summary = document.getElementById("error-summary");
    if (summary && document.activeElement === document.body) { summary.focus(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
