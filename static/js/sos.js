/* SOS (issue 16): hold 2 s on the SOS button (a pocket cannot), then the call goes through the outbox like any
   field action: stored on the phone first, sent at once when online, retried every few seconds when not.
   The guard sees plainly whether it arrived (「未送达，请打电话」 with a tel: link) and who acknowledged it.
   app.js loads this file on the first press (so a field page's first load stays light) and hands over that
   press (`WuyeSos.pressed`); it also loads it at once while an SOS of this user is still being followed. */
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
  panel.style.cssText = 'position:fixed;left:0;right:0;bottom:4.5rem;z-index:950;margin:0 .5rem;padding:1rem;' +
    'border-radius:8px;background:#fff;border:3px solid #c62828;display:none;gap:.5rem';

  var call = panel.querySelector('[data-sos-call]');

  function show(text, kind) {
    call.href = 'tel:' + call.dataset.sosCall.replace(/\s+/g, '');
    panel.hidden = false;
    panel.style.display = 'grid';
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
      var response = await fetch('/incidents/sos/' + id, {
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

  /* Press and hold: only a hold of 2 s sends. `since` is when the press began (the first press began before
     this file was loaded). */
  var held = null;
  function start(button, since) {
    button.dataset.holding = '1';
    button.style.boxShadow = '0 0 0 6px rgba(198,40,40,.4)';
    clearTimeout(held);
    held = setTimeout(function () { held = null; delete button.dataset.holding; button.style.boxShadow = ''; send(); },
                      Math.max(0, HOLD_MS - (performance.now() - since)));
  }
  function cancel(button) {
    delete button.dataset.holding;
    button.style.boxShadow = '';
    if (held) { clearTimeout(held); held = null; if (!panel.dataset.sosStatus) show(panel.dataset.tHold, ''); }
  }
  document.querySelectorAll('[data-sos-hold]').forEach(function (button) {
    button.addEventListener('pointerdown', function (event) { event.preventDefault(); start(button, performance.now()); });
    ['pointerup', 'pointerleave', 'pointercancel'].forEach(function (name) {
      button.addEventListener(name, function () { cancel(button); });
    });
    button.addEventListener('contextmenu', function (event) { event.preventDefault(); });
  });
  self.WuyeSos = {
    pressed: function (button, since, released) {
      if (!released) start(button, since);
      else if (!panel.dataset.sosStatus) show(panel.dataset.tHold, '');
    },
  };
  panel.addEventListener('submit', function (event) { event.preventDefault(); });  // Enter in the note never sends
  panel.querySelector('[data-sos-close]').addEventListener('click', function () {
    panel.hidden = true;
    panel.style.display = 'none';
    floating.hidden = false;
    delete panel.dataset.sosStatus;
  });

  var pending = sessionStorage.getItem(KEY);
  if (pending) follow(pending);
})();
