// The ranking: rows from the page's JSON data block (#ranking-data), sorted by a click on a
// column head (again: the other way), filtered by department, grade and text, shown a page at
// a time. Drill-down: a link with data-open="team-N" opens that team's <details> before the
// browser scrolls to it; a #team-N address opens it on load and on back/forward; the buttons
// with data-toggle-all open or close every team; printing opens everything.
(function () {
  "use strict";
  var PAGE = 50;
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function openTeam(id) {
    var panel = document.getElementById(id);
    if (panel && panel.tagName === "DETAILS") { panel.open = true; }
    return panel;
  }
  // ------------------------------------------------------------------ the ranking
  var source = document.getElementById("ranking-data");
  var table = document.getElementById("ranking-table");
  if (source && table) {
    var data = JSON.parse(source.textContent);
    var rows = data.rows;
    var state = { key: "rank", down: false, page: 0, dept: "", grade: "", text: "" };
    var body = table.querySelector("tbody");
    var status = document.getElementById("ranking-status");
    var deptSelect = document.getElementById("filter-department");
    var gradeSelect = document.getElementById("filter-grade");
    var textInput = document.getElementById("filter-text");
    var prev = document.getElementById("page-prev");
    var next = document.getElementById("page-next");
    function pill(index) {
      if (index < 0) { return null; }
      var g = data.grades[index];
      var node = el("span", "pill " + g[1], g[0]);
      node.title = g[2];
      return node;
    }
    function value(row, key) {
      if (key === "rank") { return row.rank === null ? Infinity : row.rank; }
      if (key === "name" || key === "department") { return row[key]; }
      if (key === "composite") { return row.sort; }
      if (key === "since") { return row.since === null ? -Infinity : row.since; }
      return row.scoreSort[Number(key.slice(4))];
    }
    function compare(a, b) {
      var x = value(a, state.key), y = value(b, state.key), order;
      if (typeof x === "string") { order = x.localeCompare(y, "zh-CN"); }
      else { order = x < y ? -1 : x > y ? 1 : 0; }
      if (state.down) { order = -order; }
      return order || a.order - b.order;
    }
    function chosen() {
      var text = state.text.trim().toLowerCase();
      return rows.filter(function (row) {
        if (state.dept && row.department !== state.dept) { return false; }
        if (state.grade && row.gradeText !== state.grade) { return false; }
        if (text && row.name.toLowerCase().indexOf(text) < 0 &&
            row.team.toLowerCase().indexOf(text) < 0) { return false; }
        return true;
      }).sort(compare);
    }
    function cell(cls) { return el("td", cls); }
    function draw() {
      var shown = chosen();
      var pages = Math.max(1, Math.ceil(shown.length / PAGE));
      if (state.page >= pages) { state.page = pages - 1; }
      body.textContent = "";
      shown.slice(state.page * PAGE, state.page * PAGE + PAGE).forEach(function (row) {
        var tr = el("tr", row.vetoed ? "vetoed" : "");
        tr.setAttribute("data-team", row.team);
        var rank = cell("num");
        var mark = el("span", row.rank === null ? "rank none" : "rank",
          row.rank === null ? data.words.unranked : row.rank + (row.tie ? "=" : ""));
        if (row.note) { mark.title = row.note; }
        rank.appendChild(mark);
        tr.appendChild(rank);
        var team = cell("");
        var link = el("a", "team-name", row.name);
        link.href = row.href;
        if (row.href.charAt(0) === "#") { link.setAttribute("data-open", row.href.slice(1)); }
        team.appendChild(link);
        team.appendChild(document.createTextNode(" "));
        team.appendChild(el("span", "id", row.team));
        row.vetoes.forEach(function (veto) {
          team.appendChild(el("br"));
          team.appendChild(el("span", "pill gv wrap", data.words.veto + " " + veto));
        });
        tr.appendChild(team);
        tr.appendChild(el("td", "", row.department));
        var composite = cell("num");
        composite.appendChild(document.createTextNode(row.composite + " "));
        var grade = pill(row.grade);
        if (grade) { composite.appendChild(grade); }
        var bar = el("span", "bar"), fill = el("i");
        fill.style.width = row.bar + "%";
        bar.appendChild(fill);
        composite.appendChild(bar);
        tr.appendChild(composite);
        row.scores.forEach(function (score, i) {
          var td = cell("num");
          td.appendChild(document.createTextNode(score + " "));
          var p = pill(row.grades[i]);
          if (p) { td.appendChild(p); }
          tr.appendChild(td);
        });
        if (data.since) {
          var since = cell("num since");
          since.appendChild(el("span", "move " + row.move[0], row.move[1]));
          since.title = row.move[2];
          tr.appendChild(since);
        }
        var titles = cell("titles");
        row.titles.forEach(function (t, i) {
          if (i) { titles.appendChild(document.createTextNode(" ")); }
          var label = el("span", "pill title-pill", t[0]);
          label.title = t[1];
          titles.appendChild(label);
          if (t[2]) {
            var warn = el("span", "warn", " ⚠ " + data.words.overrun);
            warn.title = t[2];
            titles.appendChild(warn);
          }
        });
        tr.appendChild(titles);
        body.appendChild(tr);
      });
      if (!shown.length) {
        var empty = el("td", "empty", data.words.none);
        empty.colSpan = table.querySelectorAll("thead th").length;
        var tr = el("tr");
        tr.appendChild(empty);
        body.appendChild(tr);
      }
      status.textContent = data.words.status
        .replace("{shown}", String(shown.length)).replace("{all}", String(rows.length))
        .replace("{page}", String(state.page + 1)).replace("{pages}", String(pages));
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
      table.querySelectorAll("th[data-sort]").forEach(function (th) {
        var key = th.getAttribute("data-sort");
        th.setAttribute("aria-sort", key === state.key
          ? (state.down ? "descending" : "ascending") : "none");
      });
    }
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      th.addEventListener("click", function () {
        var key = th.getAttribute("data-sort");
        if (state.key === key) { state.down = !state.down; }
        else { state.key = key; state.down = th.getAttribute("data-first") === "down"; }
        state.page = 0;
        draw();
      });
    });
    deptSelect.addEventListener("change", function () { state.dept = deptSelect.value; state.page = 0; draw(); });
    gradeSelect.addEventListener("change", function () { state.grade = gradeSelect.value; state.page = 0; draw(); });
    textInput.addEventListener("input", function () { state.text = textInput.value; state.page = 0; draw(); });
    prev.addEventListener("click", function () { state.page -= 1; draw(); });
    next.addEventListener("click", function () { state.page += 1; draw(); });
    rows.forEach(function (row, i) { row.order = i; });
    draw();
  }
  // ------------------------------------------------------------------ the drill-down
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    var link = target.closest("a[data-open]");
    if (link) {
      openTeam(link.getAttribute("data-open"));
      return;
    }
    var button = target.closest("button[data-toggle-all]");
    if (button) {
      var open = button.getAttribute("data-toggle-all") === "open";
      document.querySelectorAll("details.team").forEach(function (panel) {
        panel.open = open;
      });
    }
  });
  function fromAddress() {
    if (location.hash.length > 1) {
      var panel = openTeam(decodeURIComponent(location.hash.slice(1)));
      if (panel) { panel.scrollIntoView({ block: "start" }); }
    }
  }
  window.addEventListener("hashchange", fromAddress);
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (panel) { panel.open = true; });
  });
  fromAddress();
})();
