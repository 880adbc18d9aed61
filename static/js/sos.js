/* SOS (issue 16): hold 2 s on the SOS button (a pocket cannot), then the call goes through the outbox like any
   field action: stored on the phone first, sent at once when online, retried every few seconds when not.
   The guard sees plainly whether it arrived (「未送达，请打电话」 with a tel: link) and who acknowledged it. */
(function () {
  'use strict';

  var panel = document.querySelector('[data-sos-panel]');
  var outbox = self.WuyeOutbox;
  var userId = document.body.dataset.userId || '';
  if (!panel || !outbox || !userId) return;
  var HOLD_MS = 2000;
  var RETRY_MS = 3000;
  var state = panel.querySelector('[data-sos-state]');
  var KEY = 'wuye-sos-' + userId;
  var timer = null;
  var floating = document.querySelector('.sos-button');

  function show(text, kind) {
    panel.hidden = false;
    floating.hidden = true;  // the panel's own hold button takes over
    panel.dataset.sosStatus = kind;
    state.textContent = text;
  }

  function hhmm(iso) {
    var d = new Date(iso);
    return String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  }

  /* The phone's position when it gives one within 3 s (and the guard allowed it); else nothing. */
  function position() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) return resolve(null);
      var done = false;
      var finish = function (value) { if (!done) { done = true; resolve(value); } };
      setTimeout(function () { finish(null); }, 3000);
      try {
        navigator.geolocation.getCurrentPosition(function (p) {
          finish({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy });
        }, function () { finish(null); }, { enableHighAccuracy: true, timeout: 3000, maximumAge: 60000 });
      } catch (blocked) { finish(null); }
    });
  }

  async function send() {
    show(panel.dataset.tSending, 'sending');
    var note = panel.querySelector('[data-sos-note]');
    var fields = [['note', note ? note.value : '']];
    var where = await position();
    if (where) fields.push(['lat', String(where.lat)], ['lon', String(where.lon)], ['accuracy', String(where.accuracy)]);
    var item = await outbox.enqueue({ user_id: userId, action: 'sos', label: 'SOS', context: '',
                                      url: panel.getAttribute('action'), fields: fields, photos: [] });
    sessionStorage.setItem(KEY, item.id);
    if (note) note.value = '';
    await outbox.replay({ force: true }).catch(function () {});
    follow(item.id);
  }

  /* Until delivered: retry every few seconds and say so; then ask who acknowledged. */
  async function follow(id) {
    clearTimeout(timer);
    var s = await outbox.status(id);
    if (s.state === 'queued' || s.state === 'sending') {
      show(panel.dataset.tQueued, 'queued');
      outbox.replay({ force: true }).finally(function () { timer = setTimeout(function () { follow(id); }, RETRY_MS); });
      return;
    }
    if (s.state === 'failed') { show(panel.dataset.tFailed.replace('{reason}', s.error || ''), 'failed'); return; }
    if (s.state !== 'done') return;
    try {
      var response = await fetch(panel.dataset.statusUrl.replace(/_$/, id), {
        headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
      var data = response.ok ? await response.json() : {};
      if (data.acknowledged) {
        show(panel.dataset.tAcked.replace('{name}', data.acknowledged_by).replace('{time}', hhmm(data.acknowledged_at)), 'acknowledged');
        sessionStorage.removeItem(KEY);
        return;
      }
      show(panel.dataset.tDelivered, 'delivered');
    } catch (offline) { /* keep asking */ }
    timer = setTimeout(function () { follow(id); }, RETRY_MS);
  }

  /* Press and hold: only a hold of 2 s sends. */
  document.querySelectorAll('[data-sos-hold]').forEach(function (button) {
    var held = null;
    function start(event) {
      event.preventDefault();
      button.dataset.holding = '1';
      held = setTimeout(function () { held = null; delete button.dataset.holding; send(); }, HOLD_MS);
    }
    function cancel() {
      delete button.dataset.holding;
      if (held) { clearTimeout(held); held = null; if (!panel.dataset.sosStatus) show(panel.dataset.tHold, ''); }
    }
    button.addEventListener('pointerdown', start);
    ['pointerup', 'pointerleave', 'pointercancel'].forEach(function (name) { button.addEventListener(name, cancel); });
    button.addEventListener('contextmenu', function (event) { event.preventDefault(); });
  });
  panel.addEventListener('submit', function (event) { event.preventDefault(); });  // Enter in the note never sends
  panel.querySelector('[data-sos-close]').addEventListener('click', function () {
    panel.hidden = true;
    floating.hidden = false;
    delete panel.dataset.sosStatus;
  });

  var pending = sessionStorage.getItem(KEY);
  if (pending) follow(pending);
})();
