/* Live alerts on the pages of the people alerts go to: poll GET /alerts/active every few seconds while the
   page is visible, show each new alert (red ones cover the page, with a sound where the browser allows) until
   it is acknowledged. Also: turn on Web Push from the home card. */
(function () {
  'use strict';

  var box = document.getElementById('alert-live');
  var RED = 'position:fixed;inset:0;z-index:1000;padding:1rem;overflow-y:auto;background:rgba(180,20,20,.96);color:#fff';
  var AMBER = 'position:fixed;inset:0 0 auto 0;z-index:1000;padding:1rem;background:#fff4e0;color:#3d2a00;' +
    'border-bottom:3px solid #e0a000';
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { if (c != null) node.append(c); });
    return node;
  }

  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      var ctx = new Ctx();
      var osc = ctx.createOscillator();
      osc.frequency.value = 880;
      osc.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.6);
    } catch (notAllowed) { /* the browser wants a tap first: the red screen still shows */ }
  }

  function hhmm(iso) {
    var d = new Date(iso);
    return String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  }

  function card(alert) {
    var d = box.dataset;
    var lines = [el('strong', { class: 'alert-live-text' }, [hhmm(alert.created_at) + ' ' + alert.text])];
    if (alert.last_checkpoint) lines.push(el('p', {}, [d.checkpoint + '：' + alert.last_checkpoint]));
    if (alert.position) {
      var p = alert.position;
      lines.push(el('p', { 'data-alert-position': '' }, [d.position + '：' + p.lat + ', ' + p.lon + ' · ' +
        d.accuracy.replace('{m}', Math.round(p.accuracy))]));
    }
    var button = el('button', { type: 'button', class: 'btn btn-block', 'data-alert-ack': String(alert.id) }, [d.ackLabel]);
    lines.push(button);
    var item = el('div', { class: 'alert-live-item alert-' + alert.level, 'data-alert-id': String(alert.id),
                           'data-alert-kind': alert.kind }, lines);
    item.style.cssText = 'margin-bottom:1rem;padding:1rem;border-radius:8px;background:rgba(0,0,0,.18)';
    lines[0].style.cssText = 'display:block;font-size:1.25rem;margin-bottom:.5rem';
    return item;
  }

  var shown = {};

  function render(alerts) {
    var list = box.querySelector('[data-alert-list]');
    var current = {};
    var fresh = false;
    alerts.forEach(function (a) {
      current[a.id] = true;
      if (!shown[a.id]) { list.prepend(card(a)); shown[a.id] = true; fresh = fresh || a.level === 'red'; }
    });
    Object.keys(shown).forEach(function (id) {  // answered elsewhere (a colleague acknowledged)
      if (!current[id]) {
        var node = list.querySelector('[data-alert-id="' + id + '"]');
        if (node) node.remove();
        delete shown[id];
      }
    });
    var any = list.children.length > 0;
    box.hidden = !any;
    box.dataset.level = alerts.some(function (a) { return a.level === 'red'; }) ? 'red' : 'amber';
    box.style.cssText = box.dataset.level === 'red' ? RED : AMBER;
    document.documentElement.classList.toggle('alert-open', any);
    if (fresh) beep();
  }

  var busy = false;
  async function poll() {
    if (busy || document.visibilityState === 'hidden') return;
    busy = true;
    try {
      var response = await fetch(box.dataset.activeUrl, { headers: { Accept: 'application/json' },
                                                         credentials: 'same-origin', cache: 'no-store' });
      if (response.ok) render((await response.json()).alerts || []);
    } catch (offline) { /* next time */ } finally { busy = false; }
  }

  async function acknowledge(button) {
    button.disabled = true;
    try {
      var response = await fetch('/alerts/' + button.dataset.alertAck + '/ack', {
        method: 'POST', credentials: 'same-origin',
        headers: { Accept: 'application/json', 'X-CSRFToken': csrf },
      });
      if (response.ok) {
        button.closest('[data-alert-id]').remove();
        delete shown[button.dataset.alertAck];
        render([]);
        poll();
        return;
      }
    } catch (offline) { /* stays until acknowledged */ }
    button.disabled = false;
  }

  function urlBase64ToBytes(text) {
    var padded = (text + '===='.slice((text.length + 3) % 4 + 1)).replace(/-/g, '+').replace(/_/g, '/');
    var raw = atob(padded);
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }

  async function subscribe(button) {
    var registration = await navigator.serviceWorker.ready;
    if ((await Notification.requestPermission()) !== 'granted') return;
    var sub = await registration.pushManager.subscribe({
      userVisibleOnly: true, applicationServerKey: urlBase64ToBytes(button.dataset.pushSubscribe) });
    await fetch('/alerts/push/subscriptions', { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf, Accept: 'application/json' },
      body: JSON.stringify(sub.toJSON()) });
    button.hidden = true;
  }

  document.addEventListener('click', function (event) {
    var ack = event.target.closest('[data-alert-ack]');
    if (ack) acknowledge(ack);
    var push = event.target.closest('[data-push-subscribe]');
    if (push) subscribe(push);
  });

  var pushButton = document.querySelector('[data-push-subscribe]');
  if (pushButton && 'serviceWorker' in navigator && 'PushManager' in window && window.Notification &&
      Notification.permission !== 'denied') pushButton.hidden = false;

  if (!box) return;
  var every = Math.max(1, Number(box.dataset.poll || 3)) * 1000;
  poll();
  setInterval(poll, every);
  document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'visible') poll(); });
})();
