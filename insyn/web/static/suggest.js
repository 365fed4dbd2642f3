// Search-as-you-type for the search box (progressive enhancement: without this file the
// form works as before). ARIA 1.2 combobox with a listbox popup: arrow keys move, Enter
// picks, Escape closes; the live count is read by screen readers.
(function () {
  "use strict";
  var input = document.getElementById("q");
  if (!input || !window.fetch) { return; }
  var form = input.form;
  var list = document.createElement("ul");
  var status = document.createElement("p");
  var timer = null;
  var active = -1;
  var asked = "";
  list.id = "q-forslag";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Förslag");
  list.hidden = true;
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  input.parentNode.appendChild(list);
  input.parentNode.appendChild(status);

  function options() { return list.querySelectorAll("[role=option]"); }

  function close() {
    list.hidden = true;
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function mark(index) {
    var items = options();
    active = index;
    for (var i = 0; i < items.length; i++) {
      items[i].setAttribute("aria-selected", i === index ? "true" : "false");
    }
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", items[index].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function pick(text) {
    input.value = text;
    close();
    form.submit();
  }

  function show(words) {
    list.textContent = "";
    words.forEach(function (word, i) {
      var item = document.createElement("li");
      item.id = "q-forslag-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.textContent = word;
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();
        pick(word);
      });
      list.appendChild(item);
    });
    list.hidden = words.length === 0;
    input.setAttribute("aria-expanded", words.length ? "true" : "false");
    status.textContent = words.length ? words.length + " förslag, välj med piltangenterna" : "";
    active = -1;
  }

  function ask() {
    var text = input.value.trim();
    if (text.length < 2) { close(); return; }
    if (text === asked) { return; }
    asked = text;
    fetch("/api/suggest?limit=8&q=" + encodeURIComponent(text), {headers: {Accept: "application/json"}})
      .then(function (answer) { return answer.ok ? answer.json() : {suggestions: []}; })
      .then(function (data) { if (input.value.trim() === text) { show(data.suggestions || []); } })
      .catch(close);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    var items = options();
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
      mark((active + 1) % items.length);
    } else if (event.key === "ArrowUp" && items.length) {
      event.preventDefault();
      mark(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
      event.preventDefault();
      pick(items[active].textContent);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", close);
})();
