// calmcheck report: selection, highlighting and the findings filter.
// Plain JavaScript, no library; it reads only the page's own ids and
// data- attributes, and writes only classes, hidden and textContent.
(function () {
  'use strict';

  function list(el, attr) {
    var v = el.getAttribute(attr);
    return v ? v.split(' ').filter(function (s) { return s !== ''; }) : [];
  }

  function clear(section) {
    section.querySelectorAll('.hl, .selected').forEach(function (el) {
      el.classList.remove('hl', 'selected');
    });
    section.querySelectorAll('.detail').forEach(function (d) { d.hidden = true; });
    var graph = section.querySelector('.graph-view');
    if (graph) { graph.classList.remove('focus'); }
    var empty = section.querySelector('.panel-empty');
    if (empty) { empty.hidden = false; }
  }

  // select highlights the nodes and edges named by source (a detail
  // element, or a table row) and shows the detail, if any.
  function select(section, source, detailId, selected) {
    clear(section);
    var graph = section.querySelector('.graph-view');
    var ids = list(source, 'data-nodes').concat(list(source, 'data-edges'));
    ids.forEach(function (id) {
      var el = document.getElementById(id);
      if (el && graph && graph.contains(el)) { el.classList.add('hl'); }
    });
    if (graph && ids.length > 0) { graph.classList.add('focus'); }
    if (selected) { selected.classList.add('selected'); }
    var d = detailId ? document.getElementById(detailId) : null;
    if (d && section.contains(d)) {
      d.hidden = false;
      var empty = section.querySelector('.panel-empty');
      if (empty) { empty.hidden = true; }
    }
  }

  document.querySelectorAll('section.program').forEach(function (section) {
    var graph = section.querySelector('.graph-view');
    if (graph) {
      graph.addEventListener('click', function (ev) {
        var g = ev.target.closest('g.node, g.edge');
        if (!g || !graph.contains(g) || !g.id) {
          clear(section);
          return;
        }
        var d = document.getElementById('d-' + g.id);
        if (!d) { clear(section); return; }
        select(section, d, d.id, g);
      });
    }
    var zoom = section.querySelector('button.zoom');
    if (zoom && graph) {
      zoom.addEventListener('click', function () {
        var actual = graph.classList.toggle('actual');
        zoom.textContent = actual ? 'Fit to width' : 'Actual size';
        zoom.setAttribute('aria-pressed', actual ? 'true' : 'false');
      });
    }
    section.querySelectorAll('tr.selectable').forEach(function (row) {
      function choose() {
        select(section, row, row.getAttribute('data-detail'), row);
        if (graph) {
          var r = graph.getBoundingClientRect();
          if (r.bottom < 0 || r.top > window.innerHeight) {
            graph.scrollIntoView({ block: 'start' });
          }
        }
      }
      row.addEventListener('click', function (ev) {
        if (ev.target.closest('a')) { return; }
        choose();
      });
      row.addEventListener('keydown', function (ev) {
        if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); choose(); }
      });
    });
  });

  // A link to a witness opens it.
  document.querySelectorAll('a[href^="#w-"]').forEach(function (a) {
    a.addEventListener('click', function () {
      var w = document.getElementById(a.getAttribute('href').slice(1));
      if (w && w.tagName === 'DETAILS') { w.open = true; }
    });
  });

  // The findings filter: by check and by severity.
  var check = document.getElementById('filter-check');
  var sevs = document.querySelectorAll('.filter-severity');
  var count = document.getElementById('filter-count');
  function filter() {
    var want = check ? check.value : '';
    var on = {};
    sevs.forEach(function (s) { on[s.value] = s.checked; });
    var shown = 0, all = 0;
    document.querySelectorAll('tr.finding').forEach(function (row) {
      var sev = row.getAttribute('data-severity');
      var ok = (want === '' || row.getAttribute('data-check') === want) && on[sev] !== false;
      row.classList.toggle('filtered', !ok);
      all++;
      if (ok) { shown++; }
    });
    if (count) { count.textContent = shown + ' of ' + all + ' findings shown'; }
  }
  if (check) { check.addEventListener('change', filter); }
  sevs.forEach(function (s) { s.addEventListener('change', filter); });
  var form = document.getElementById('filter');
  if (form) { form.addEventListener('submit', function (ev) { ev.preventDefault(); }); }
  filter();
}());
