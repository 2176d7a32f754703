"use strict";
(function () {
  var data = JSON.parse(document.getElementById("mmspec-data").textContent);
  var pos = {};
  var active = null;

  function section(id) { return document.getElementById("case-" + id); }

  function show(id, i) {
    var c = data.cases[id], sec = section(id);
    if (!c || !sec || !c.steps.length) { return; }
    i = Math.max(0, Math.min(c.steps.length - 1, i));
    pos[id] = i;
    sec.querySelector(".stepno").textContent = String(i);
    sec.querySelectorAll(".stateview").forEach(function (el) {
      el.hidden = Number(el.getAttribute("data-step")) !== i;
    });
    var title = "";
    sec.querySelectorAll(".lanes .steprow").forEach(function (row) {
      var on = Number(row.getAttribute("data-step")) === i;
      row.classList.toggle("current", on);
      if (on) {
        var act = row.querySelector(".act");
        title = act ? act.getAttribute("title") : "initial state";
        row.scrollIntoView({block: "nearest"});
      }
    });
    sec.querySelector(".steptitle").textContent = title;
    var cell = document.getElementById("case-" + id + "-step-" + i);
    var hash = cell ? cell.getAttribute("data-hash") : null;
    if (hash && location.hash !== hash) {
      try { history.replaceState(null, "", hash); } catch (err) { /* not allowed here: no link */ }
    }
    sec.querySelectorAll(".src-line.marked").forEach(function (el) { el.classList.remove("marked"); });
    var st = c.steps[i];
    if (st.file !== null && st.line !== null) {
      var sel = '.src-line[data-file="' + st.file + '"][data-line="' + st.line + '"]';
      var line = sec.querySelector(sel);
      if (line) { line.classList.add("marked"); line.scrollIntoView({block: "nearest"}); }
    }
  }

  function activate(id) {
    if (!section(id)) { return; }
    document.querySelectorAll("section.case").forEach(function (s) {
      s.hidden = Number(s.getAttribute("data-case")) !== id;
    });
    document.querySelectorAll(".case-tab").forEach(function (b) {
      b.classList.toggle("active", Number(b.getAttribute("data-case")) === id);
    });
    active = id;
    show(id, pos[id] || 0);
  }

  function go(how) {
    if (active === null) { return; }
    var n = data.cases[active].steps.length, i = pos[active] || 0;
    var to = {next: i + 1, prev: i - 1, first: 0, last: n - 1}[how];
    show(active, to);
  }

  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    var how = {ArrowRight: "next", ArrowLeft: "prev", Home: "first", End: "last"}[e.key];
    if (how) { e.preventDefault(); go(how); }
  });
  document.querySelectorAll(".controls button").forEach(function (b) {
    b.addEventListener("click", function () { go(b.getAttribute("data-go")); });
  });
  document.querySelectorAll(".lanes .steprow").forEach(function (row) {
    row.addEventListener("click", function () {
      var sec = row.closest("section.case");
      var id = Number(sec.getAttribute("data-case"));
      activate(id);
      show(id, Number(row.getAttribute("data-step")));
    });
  });
  document.querySelectorAll(".case-tab").forEach(function (b) {
    b.addEventListener("click", function () { activate(Number(b.getAttribute("data-case"))); });
  });
  var first = data.cases.filter(function (c) { return c.steps.length > 0; })[0];

  // #step-N (the first case with a trace) or #case-C-step-N: open that step
  function fromHash() {
    var m = /^#(?:case-(\d+)-)?step-(\d+)$/.exec(location.hash);
    if (!m) { return false; }
    var id = m[1] !== undefined ? Number(m[1]) : (first ? first.id : null);
    if (id === null || !section(id)) { return false; }
    if (active !== id) { activate(id); }
    show(id, Number(m[2]));
    return true;
  }
  window.addEventListener("hashchange", fromHash);
  if (!fromHash() && first) { activate(first.id); }
}());
