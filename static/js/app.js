/* Page side of the offline machinery: service worker, outbox forms, sync badge, offline pages, logout,
   sending again when the network is back. The outbox core lives in outbox.js (shared with the service
   worker); the 「上传记录」 page's rendering in outbox-page.js (that page alone loads it). */
(function () {
  'use strict';

  var outbox = self.WuyeOutbox;
  var HTMX_URL = (document.currentScript && document.currentScript.dataset.htmx) || '';
  var PHOTOS_URL = (document.currentScript && document.currentScript.dataset.photos) || '';
  var SOS_URL = (document.currentScript && document.currentScript.dataset.sos) || '';
  var S = JSON.parse((document.getElementById('js-strings') || {}).textContent || '{}');
  var userId = document.body.dataset.userId || '';
  var inWeChat = /MicroMessenger/i.test(navigator.userAgent);
  var swUsable = 'serviceWorker' in navigator && !inWeChat;
  var TIMER_MS = 30000;
  var OFFLINE_FRESH_MS = 12 * 3600 * 1000;

  function t(key, values) {
    return (S[key] || key).replace(/\{(\w+)\}/g, function (m, name) { return values && name in values ? values[name] : m; });
  }

  function hhmm(iso) {
    var d = new Date(iso);
    return String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  }

  function dayTime(iso) {
    var d = new Date(iso);
    var sameDay = d.toDateString() === new Date().toDateString();
    return (sameDay ? '' : (d.getMonth() + 1) + '-' + d.getDate() + ' ') + hhmm(iso);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { if (c != null) node.append(c); });
    return node;
  }

  /* ---- service worker ---- */

  function registerWorker() {
    if (inWeChat) {
      var notice = document.getElementById('wechat-notice');
      if (notice) notice.hidden = false;
    }
    if (!swUsable) return Promise.resolve(null);
    return navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () { return null; });
  }

  /* A request to the worker; `onProgress` gets its {progress: true, done, total} messages before the answer. */
  function askWorker(message, onProgress) {
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) {
          var data = event.data || {};
          if (data.progress) { if (onProgress) onProgress(data); } else resolve(data);
        };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
  }

  function requestBackgroundSync() {
    if (!swUsable) return;
    navigator.serviceWorker.ready.then(function (r) { return r.sync && r.sync.register('outbox'); }).catch(function () {});
  }

  /* ---- sync badge ---- */

  async function renderBadge() {
    var badge = document.getElementById('sync-badge');
    if (!badge || !userId) return;
    var s = await outbox.summary(userId);
    var state = 'ok';
    var text;
    var sending = outbox.progress;
    if (sending && sending.total > 1) { state = 'pending'; text = t('uploading', { done: sending.done, total: sending.total }); }
    else if (s.waiting && s.loginRequired) { state = 'login'; text = t('login_to_send', { n: s.waiting }); }
    else if (s.waiting) { state = 'pending'; text = t('pending', { n: s.waiting }); }
    else if (s.failed) { state = 'failed'; text = t('failed', { n: s.failed }); }
    else text = t('all_sent') + (s.lastSync ? ' · ' + t('last_sync', { time: hhmm(s.lastSync) }) : '');
    badge.dataset.state = state;
    badge.textContent = text;
  }

  function refreshViews() {
    renderBadge();
    if (self.WuyeOutboxPage) self.WuyeOutboxPage.render();
  }

  /* ---- outbox forms ---- */

  function resultBox(form) {
    var box = form.querySelector('[data-outbox-result]');
    if (!box) {
      box = el('div', { 'data-outbox-result': '', 'aria-live': 'polite' });
      form.append(box);
    }
    return box;
  }

  function showResult(form, state, text) {
    var box = resultBox(form);
    box.className = 'result result-' + state;
    box.dataset.state = state;
    box.textContent = text;
  }

  function formFields(form, submitter) {
    var data;
    try { data = new FormData(form, submitter); } catch (old) { data = new FormData(form); }
    var fields = [];
    data.forEach(function (value, name) {
      if (name !== 'csrf_token' && typeof value === 'string') fields.push([name, value]);
    });
    return fields;
  }

  /* A script of the shell loaded when first needed (the service worker has it offline). */
  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = url;
      script.onload = resolve;
      script.onerror = function () { reject(new Error('script ' + url)); };
      document.head.append(script);
    });
  }

  async function formPhotos(form) {
    var blobs = [];
    var inputs = form.querySelectorAll('input[type="file"][data-photo]');
    var chosen = Array.prototype.some.call(inputs, function (input) { return input.files.length > 0; });
    if (chosen && !self.WuyePhotos) await loadScript(PHOTOS_URL); // the photo shrinker, only when a photo is sent
    for (var i = 0; i < inputs.length; i++) {
      for (var j = 0; j < inputs[i].files.length; j++) blobs.push(await self.WuyePhotos.shrinkPhoto(inputs[i].files[j]));
    }
    return blobs;
  }

  function setBusy(form, busy) {
    form.dataset.outboxBusy = busy ? '1' : '';
    form.querySelectorAll('button, input[type="submit"]').forEach(function (b) { b.disabled = busy; });
  }

  async function submitToOutbox(form, submitter) {
    var action = form.dataset.action || 'other';
    var item;
    var fields = formFields(form, submitter); // before setBusy: a disabled submitter is left out of FormData
    setBusy(form, true);
    showResult(form, 'queued', t('saving'));
    try {
      var photos = await formPhotos(form);
      var heading = document.querySelector('.place-name, h1');
      item = await outbox.enqueue({
        user_id: userId, action: action, label: form.dataset.label || S['action_' + action] || t('action_other'),
        context: heading ? heading.textContent.trim() : '', url: new URL(form.action, location.href).pathname,
        fields: fields, photos: photos,
      });
    } catch (error) {
      showResult(form, 'error', error && error.name === 'PhotoUnreadable' ? t('photo_unreadable') : String(error));
      return;
    } finally {
      setBusy(form, false);
    }
    form.reset();
    showResult(form, 'queued', t('saved_on_phone'));
    await outbox.replay();
    var status = await outbox.status(item.id);
    if (status.state === 'done') showResult(form, 'ok', status.message || t('sent'));
    else if (status.state === 'failed') showResult(form, 'error', t('send_failed', { reason: status.error }));
    else requestBackgroundSync(); // still waiting: let the browser wake us when the network is back
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.id === 'logout-form') return onLogout(event);
    if (!form.hasAttribute('data-outbox')) return;
    // The outbox owns this form: never a direct post (and htmx must not see it either).
    event.preventDefault();
    event.stopImmediatePropagation();
    if (form.dataset.outboxBusy) return;
    submitToOutbox(form, event.submitter);
  }, true);

  /* ---- offline pages ---- */

  function showOfflineTime(text) {
    document.querySelectorAll('[data-offline-time]').forEach(function (span) { span.textContent = text; });
  }

  async function refreshOffline() {
    if (!swUsable) { showOfflineTime(t('offline_unsupported')); return; }
    showOfflineTime(t('offline_refreshing'));
    try {
      var response = await fetch('/sync/manifest', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (!response.ok) throw new Error('manifest ' + response.status);
      var manifest = await response.json();
      var total = manifest.pages.length + (manifest.assets || []).length;
      showOfflineTime(t('offline_progress', { done: 0, total: total }));
      var result = await askWorker({
        type: 'cache-pages', userId: String(manifest.user_id), pages: manifest.pages, assets: manifest.assets || [],
      }, function (p) { showOfflineTime(t('offline_progress', { done: p.done, total: p.total })); });
      if (!result || !result.ok) throw new Error('cache');
      var now = new Date().toISOString();
      await outbox.setMeta('offline_refresh:' + manifest.user_id, now);
      showOfflineTime(dayTime(now));
      document.documentElement.dataset.offlineReady = '1';
    } catch (error) {
      var last = await outbox.getMeta('offline_refresh:' + userId);
      showOfflineTime(t('offline_failed') + (last ? ' · ' + dayTime(last) : ''));
    }
  }

  async function clearPageCaches(keepUserId) {
    if (!self.caches) return;
    var names = await caches.keys();
    await Promise.all(names.filter(function (n) { return n.indexOf('pages-u') === 0 && n !== 'pages-u' + keepUserId; })
      .map(function (n) { return caches.delete(n); }));
  }

  /* Another user's pages never stay on this phone; this user's are fetched when missing or stale. */
  async function keepOfflinePagesFresh() {
    if (!userId || !swUsable) return;
    await clearPageCaches(userId);
    var last = await outbox.getMeta('offline_refresh:' + userId);
    var cached = await caches.has('pages-u' + userId);
    if (cached && last) showOfflineTime(dayTime(last));
    if (cached && last && Date.now() - new Date(last).getTime() < OFFLINE_FRESH_MS) {
      document.documentElement.dataset.offlineReady = '1';
    } else if (navigator.onLine) {
      await refreshOffline();
    }
  }

  document.addEventListener('click', function (event) {
    var target = event.target.closest('[data-refresh-offline], [data-retry], [data-retry-all]');
    if (!target) return;
    if (target.hasAttribute('data-refresh-offline')) refreshOffline();
    else outbox.retry(target.dataset.retry || null);
  });

  /* ---- logout: warn about unsent items, drop cached pages, keep the outbox ---- */

  async function onLogout(event) {
    var form = event.target;
    event.preventDefault();
    var s = userId ? await outbox.summary(userId) : { waiting: 0, failed: 0 };
    var unsent = s.waiting + s.failed;
    if (unsent && !window.confirm(t('logout_warning', { n: unsent }))) return;
    await clearPageCaches(null).catch(function () {});
    HTMLFormElement.prototype.submit.call(form);
  }

  /* ---- replay triggers: app start, online, visible again, a timer, Background Sync ---- */

  function replayAndRefresh(options) {
    if (!userId) return;
    outbox.replay(options).then(refreshViews);
  }

  /* Out of the basement: back-offs earned while the network was away are dropped and the outbox goes at once.
     The `online` event may come a moment before requests get through, so a round that still found no network
     (or had to hold items back) is tried again after 1, 2, 4 and 8 s — not after the 30 s timer. */
  var ONLINE_RETRIES_MS = [1000, 2000, 4000, 8000];
  var onlineRun = 0;

  function sendOnceOnline(run, step) {
    if (run !== onlineRun || !navigator.onLine) return;
    outbox.replay({ force: true }).then(function (result) {
      refreshViews();
      var again = result && !result.login_required && (result.offline || result.error || result.remaining > 0);
      if (again && step < ONLINE_RETRIES_MS.length) {
        setTimeout(function () { sendOnceOnline(run, step + 1); }, ONLINE_RETRIES_MS[step]);
      }
    });
  }

  function onOnline() {
    onlineRun += 1;
    var run = onlineRun;
    outbox.networkBack().catch(function () {}).then(function () { sendOnceOnline(run, 0); });
  }

  /* htmx only for pages that use it, after the page has loaded (htmx then initialises at once); until then
     its links and forms work as plain ones. */
  var HTMX_ATTRS = '[hx-get], [hx-post], [hx-put], [hx-patch], [hx-delete], [hx-boost], [data-hx-get], [data-hx-post]';
  function loadHtmx() {
    if (self.htmx || !HTMX_URL || !document.querySelector(HTMX_ATTRS)) return;
    loadScript(HTMX_URL).catch(function () {});
  }

  /* sos.js comes with the first SOS press (handed over) */
  document.addEventListener('pointerdown', function (event) {
    var b = event.target.closest('[data-sos-hold]');
    if (!b || self.WuyeSos) return;
    var t = performance.now();
    var up = 0;
    b.addEventListener('pointerup', function () { up = 1; }, { once: true });
    loadScript(SOS_URL).then(function () { self.WuyeSos.pressed(b, t, up); }).catch(function () {});
  }, true);

  function start() {
    if (userId && sessionStorage.getItem('wuye-sos-' + userId) && document.querySelector('[data-sos-panel]')) loadScript(SOS_URL);
    if (document.readyState === 'complete') loadHtmx();
    else window.addEventListener('load', loadHtmx);
    outbox.onchange = refreshViews;
    if (outbox.channel) outbox.channel.onmessage = refreshViews;
    registerWorker();
    refreshViews();
    if (!userId) { document.documentElement.dataset.appReady = '1'; return; }
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
    window.addEventListener('online', onOnline);
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible') replayAndRefresh();
    });
    setInterval(function () {
      outbox.summary(userId).then(function (s) { if (s.waiting) replayAndRefresh(); });
    }, TIMER_MS);
    replayAndRefresh();
    keepOfflinePagesFresh().finally(function () { document.documentElement.dataset.appReady = '1'; });
  }

  // For the 「上传记录」 page's own script (outbox-page.js), which only that page loads.
  self.WuyeApp = { t: t, el: el, dayTime: dayTime, swUsable: swUsable, inWeChat: inWeChat, refreshViews: refreshViews };
  start();
})();
