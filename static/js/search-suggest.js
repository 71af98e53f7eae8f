// Search-as-you-type for the header box (progressive enhancement: the form works without it).
(function () {
  var input = document.getElementById("header-q");
  if (!input || !window.fetch) return;
  var form = input.form, timer = null, active = -1, items = [];
  var list = document.createElement("ul");
  list.className = "suggest-list"; list.id = "header-q-suggestions"; list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "搜索建议"); list.hidden = true;
  form.appendChild(list);
  input.setAttribute("role", "combobox"); input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id); input.setAttribute("aria-expanded", "false");

  function close() { list.hidden = true; active = -1; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }
  function render(results) {
    list.textContent = ""; items = results; active = -1;
    results.forEach(function (r, i) {
      var li = document.createElement("li"), a = document.createElement("a");
      li.setAttribute("role", "option"); li.id = "suggest-" + i; a.href = r.url; a.textContent = r.title; a.tabIndex = -1;
      li.appendChild(a); list.appendChild(li);
    });
    list.hidden = !results.length; input.setAttribute("aria-expanded", results.length ? "true" : "false");
  }
  function move(step) {
    if (list.hidden) return;
    var options = list.querySelectorAll("[role=option]");
    if (active >= 0) options[active].setAttribute("aria-selected", "false");
    active = (active + step + options.length) % options.length;
    options[active].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", options[active].id);
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (!q) { close(); return; }
    timer = setTimeout(function () {
      fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (input.value.trim() === q) render(data.results || []); })
        .catch(close);
    }, 200);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if (e.key === "Escape") { close(); }
    else if (e.key === "Enter" && active >= 0) { e.preventDefault(); window.location.href = items[active].url; }
  });
  document.addEventListener("click", function (e) { if (!form.contains(e.target)) close(); });
})();
