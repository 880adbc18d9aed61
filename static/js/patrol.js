/* Patrol round on the phone (issue 4): remembers the round the guard started (its client UUID, kept in
   localStorage per user so it works offline), fills the `round` field of scan / inspection forms, and marks on
   the round screen the stops whose scans are still waiting in the outbox. The outbox (app.js) sends the forms. */
(function () {
  'use strict';

  var userId = document.body.dataset.userId;
  if (!userId) return;
  var KEY = 'wuye-round:' + userId;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || 'null'); } catch (e) { return null; }
  }
  function save(state) { localStorage.setItem(KEY, JSON.stringify(state)); }

  /* The round in progress on this phone, or null (finished, or past its window). */
  function active() {
    var state = load();
    if (!state || state.finished) return null;
    if (state.ends_ms && Date.now() > state.ends_ms) return null;
    return state;
  }

  function newUuid() { return self.WuyeOutbox ? self.WuyeOutbox.uuid() : crypto.randomUUID(); }

  /* ---- the round screen ---- */

  function roundPage() { return document.querySelector('[data-round-page]'); }

  function renderRound() {
    var page = roundPage();
    if (!page) return;
    var routeId = page.dataset.routeId;
    var serverRound = page.dataset.openRound;
    var state = active();
    if (serverRound && (!state || state.uuid !== serverRound)) {
      state = { uuid: serverRound, route_id: routeId, marks: {}, ends_ms: Date.now() + page.dataset.windowMinutes * 60000 };
      save(state);
    }
    var mine = state && String(state.route_id) === String(routeId) ? state : null;
    var start = page.querySelector('[data-round-start]');
    var finish = page.querySelector('[data-round-finish]');
    page.querySelector('[data-round-active]').hidden = !mine;
    start.querySelector('button[type=submit]').hidden = !!mine;  // its result line stays visible
    finish.hidden = !mine;
    if (!mine) {
      var key = start.querySelector('[data-round-key]');
      if (!key.value) key.value = newUuid();
    } else {
      finish.querySelector('[data-round-key]').value = mine.uuid;
      var link = page.querySelector('[data-round-summary-link]');
      link.href = page.dataset.summaryUrl.replace('ROUND', mine.uuid);
      link.hidden = false;
    }
    var left = 0;
    page.querySelectorAll('[data-stop-place]').forEach(function (row) {
      var marked = mine && mine.marks && mine.marks[row.dataset.stopPlace];
      if (marked && row.dataset.state !== 'scanned') {
        row.dataset.state = 'queued';
        row.querySelector('[data-stop-badge]').textContent = '已扫（待上传）';
        row.querySelector('[data-stop-badge]').className = 'badge badge-warn';
      }
      if (row.dataset.state !== 'scanned' && row.dataset.state !== 'queued') left += 1;
    });
    var reason = finish.querySelector('[data-round-reason]');
    if (reason) reason.required = !!mine && left > 0;
    var stale = page.querySelector('[data-round-stale]');
    if (stale && page.dataset.shiftEnds) stale.hidden = !!serverRound || Date.now() < Date.parse(page.dataset.shiftEnds);
  }

  /* ---- place pages: the current round goes with each scan / inspection ---- */

  function fillRoundFields() {
    var state = active();
    document.querySelectorAll('[data-round-field]').forEach(function (input) { input.value = state ? state.uuid : ''; });
  }

  /* Runs before app.js hands the form to the outbox (window capture comes before document capture). */
  window.addEventListener('submit', function (event) {
    var form = event.target;
    var action = form.dataset && form.dataset.action;
    // Which button was tapped (「全部正常」 or 「提交异常」) travels in a hidden field: the outbox disables the
    // buttons before it reads the form, and a disabled submitter is not part of the form data.
    var resultField = form.querySelector && form.querySelector('[data-result-field]');
    if (resultField && event.submitter && event.submitter.dataset.result) resultField.value = event.submitter.dataset.result;
    if (action === 'round-start') {
      var page = roundPage();
      save({ uuid: form.querySelector('[data-round-key]').value, route_id: form.elements.route_id.value, marks: {},
             ends_ms: Date.now() + (page ? page.dataset.windowMinutes : 240) * 60000 });
      setTimeout(renderRound, 0);
    } else if (action === 'scan' || (action === 'inspection' && !form.elements.corrects)) {
      var state = active();
      var head = document.querySelector('[data-place-id]');
      if (state && head) {
        state.marks = state.marks || {};
        state.marks[head.dataset.placeId] = 'queued';
        save(state);
      }
    } else if (action === 'round-finish') {
      var current = load();
      if (current) { current.finished = true; save(current); }
    }
  }, true);

  renderRound();
  fillRoundFields();
})();

/* Position with scans (issue 16), where the site records it: the phone's position (asked once; the browser
   remembers the answer) fills the scan and inspection forms' lat / lon / accuracy when it comes within 3 s of
   opening the page; later or refused, the forms go without it. Never a condition for scanning. */
(function () {
  'use strict';

  var forms = document.querySelectorAll('form[data-record-position]');
  if (!forms.length || !navigator.geolocation) return;
  var opened = Date.now();
  navigator.geolocation.getCurrentPosition(function (p) {
    if (Date.now() - opened > 3000) return;
    forms.forEach(function (form) {
      form.querySelector('[data-position="lat"]').value = String(p.coords.latitude);
      form.querySelector('[data-position="lon"]').value = String(p.coords.longitude);
      form.querySelector('[data-position="accuracy"]').value = String(Math.round(p.coords.accuracy));
    });
  }, function () {}, { enableHighAccuracy: true, timeout: 3000, maximumAge: 30000 });
})();
