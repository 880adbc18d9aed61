/* The on-phone outbox: field actions kept in IndexedDB and replayed exactly once (README "How offline works").
   No DOM here: the service worker imports this file for Background Sync. Pages use self.WuyeOutbox. */
(function (global) {
  'use strict';

  var DB_NAME = 'wuye-outbox';
  var SENT_LOG_SIZE = 100; // the upload page lists each item's result; a 100-action replay fits
  var channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('wuye-outbox') : null;
  var dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = global.idb.openDB(DB_NAME, 1, {
        upgrade: function (db) {
          // seq (auto-increment) is the creation order the replay keeps.
          var items = db.createObjectStore('items', { keyPath: 'seq', autoIncrement: true });
          items.createIndex('id', 'id', { unique: true });
          db.createObjectStore('sent', { keyPath: 'id' });
          db.createObjectStore('meta');
        },
      });
    }
    return dbPromise;
  }

  function uuid() {
    if (global.crypto && typeof global.crypto.randomUUID === 'function') return global.crypto.randomUUID();
    var b = global.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  /* Device clock as ISO 8601 with the device's offset, e.g. 2024-05-01T08:30:00.000+08:00. */
  function deviceTime(date) {
    var d = date || new Date();
    var pad = function (n, w) { return String(Math.abs(n)).padStart(w || 2, '0'); };
    var off = -d.getTimezoneOffset();
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' +
      pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3) +
      (off >= 0 ? '+' : '-') + pad(Math.floor(Math.abs(off) / 60)) + ':' + pad(Math.abs(off) % 60);
  }

  async function sha256Hex(blob) {
    var digest = await global.crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
    return Array.prototype.map.call(new Uint8Array(digest), function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
  }

  function notify() {
    if (channel) channel.postMessage({ type: 'changed' });
    api.onchange();
  }

  /* draft: {user_id, action, label, context, url, fields: [[name, value]…], photos: [Blob…], id?} */
  async function enqueue(draft) {
    var photos = [];
    for (var i = 0; i < (draft.photos || []).length; i++) {
      var blob = draft.photos[i];
      photos.push({ uuid: uuid(), blob: blob, sha256: await sha256Hex(blob), size: blob.size, state: 'waiting' });
    }
    var item = {
      id: draft.id || uuid(), user_id: String(draft.user_id), action: draft.action || '', label: draft.label || '',
      context: draft.context || '', url: draft.url, fields: draft.fields || [], photos: photos,
      created_at: deviceTime(), created_ms: Date.now(), state: 'queued', error: '', attempts: 0, next_try: 0,
    };
    var db = await openDb();
    await db.add('items', item);
    notify();
    return item;
  }

  async function list() {
    return (await openDb()).getAll('items');
  }

  async function recentlySent() {
    var sent = await (await openDb()).getAll('sent');
    return sent.sort(function (a, b) { return b.sent_ms - a.sent_ms; });
  }

  async function getMeta(key) { return (await openDb()).get('meta', key); }
  async function setMeta(key, value) { return (await openDb()).put('meta', value, key); }

  async function save(item) { return (await openDb()).put('items', item); }

  async function findById(id) { return (await openDb()).getFromIndex('items', 'id', id); }

  /* Where an item stands: done (with the server's message), failed (with the reason) or waiting. */
  async function status(id) {
    var item = await findById(id);
    if (item) return { state: item.state, error: item.error, item: item };
    var sent = await (await openDb()).get('sent', id);
    return sent ? { state: 'done', message: sent.message } : { state: 'unknown' };
  }

  async function markDone(item, message, quarantined) {
    var db = await openDb();
    var tx = db.transaction(['items', 'sent', 'meta'], 'readwrite');
    await tx.objectStore('items').delete(item.seq);
    var sentStore = tx.objectStore('sent');
    await sentStore.put({
      id: item.id, user_id: item.user_id, action: item.action, label: item.label, context: item.context,
      created_at: item.created_at, photos: item.photos.length, message: message || '', sent_ms: Date.now(),
      quarantined: !!quarantined,
    });
    var all = await sentStore.getAll();
    all.sort(function (a, b) { return b.sent_ms - a.sent_ms; }).slice(SENT_LOG_SIZE).forEach(function (old) {
      sentStore.delete(old.id);
    });
    await tx.objectStore('meta').put(new Date().toISOString(), 'last_sync');
    await tx.done;
  }

  async function retry(id) {
    var items = id ? [await findById(id)] : (await list()).filter(function (i) { return i.state === 'failed'; });
    for (var i = 0; i < items.length; i++) {
      if (!items[i]) continue;
      items[i].state = 'queued';
      items[i].error = '';
      items[i].next_try = 0;
      await save(items[i]);
    }
    notify();
    return replay({ force: true });
  }

  /* The network is back (the `online` event): nothing waits out a back-off earned while it was away. The
     moment is kept (meta 'online_at') so that a round still running elsewhere (the service worker's) sets no
     new back-off for an attempt that began before it (outbox-send.js, settle). */
  async function networkBack() {
    var now = Date.now();
    await setMeta('online_at', now);
    var items = await list();
    for (var i = 0; i < items.length; i++) {
      if (items[i].state !== 'queued' || !(items[i].next_try > now)) continue;
      items[i].next_try = 0;
      await save(items[i]);
    }
  }

  /* ---- sending ---- */

  async function fetchSession() {
    var response = await fetch('/sync/csrf', { credentials: 'same-origin', headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (response.status === 401) {
      var why = {};
      try { why = await response.json(); } catch (notJson) { why = {}; }
      if (why.error === 'account_deactivated') {
        // The account was deactivated while this phone was signed in: its items may still be handed over
        // (the server keeps each in quarantine); what cannot go is exported on 「上传记录」.
        await setMeta('deactivated', String(why.user_id));
        return { login_required: true, deactivated_user: String(why.user_id), csrf_token: why.csrf_token,
                 message: why.message || '' };
      }
      return { login_required: true };
    }
    if (!response.ok) throw new Error('session ' + response.status);
    var data = await response.json();
    return { csrf_token: data.csrf_token, user_id: String(data.user_id) };
  }

  /* The sending half (outbox-send.js: POSTs, batches, photo progress) loads only when something waits: pages
     that have nothing to send never download it; the service worker imports it at start. */
  var SEND_URL = global.document && global.document.currentScript ? global.document.currentScript.dataset.send : '';
  var sender = null;

  function loadSender() {
    if (global.WuyeOutboxSend) return Promise.resolve(global.WuyeOutboxSend);
    if (!sender) {
      sender = new Promise(function (resolve, reject) {
        var script = global.document.createElement('script');
        script.src = SEND_URL;
        script.onload = function () {
          if (global.WuyeOutboxSend) resolve(global.WuyeOutboxSend);
          else { sender = null; reject(new Error('outbox-send')); }
        };
        script.onerror = function () { sender = null; reject(new Error('outbox-send')); };
        global.document.head.append(script);
      });
    }
    return sender;
  }

  async function round(options) {
    var waiting = (await list()).filter(function (i) { return i.state === 'queued' || i.state === 'sending'; });
    if (!waiting.length) return { sent: 0, waiting: 0 };
    return (await loadSender()).round(waiting, options);
  }

  function withLock(fn) {
    // The page and the service worker (Background Sync) must not replay at the same time.
    if (global.navigator && global.navigator.locks) return global.navigator.locks.request('wuye-outbox-replay', fn);
    return fn();
  }

  var running = null;
  var next = null;

  /* Run a replay round; calls made during a round share one follow-up round (so nothing is missed). */
  function replay(options) {
    options = options || {};
    if (next) { next.force = next.force || !!options.force; return next.promise; }
    if (!running) return start(options);
    next = { force: !!options.force };
    next.promise = running.then(function () { var o = next; next = null; return start(o); });
    return next.promise;
  }

  function start(options) {
    running = withLock(function () { return round(options); })
      .catch(function (error) { return { error: String(error) }; })
      .finally(function () { running = null; notify(); });
    return running;
  }

  function base64Of(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result).split(',')[1] || ''); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(blob);
    });
  }

  /* The hand-over file of a user's items still on this phone (a deactivated account): every item with its
     form fields and its photos, for a supervisor to import into the quarantine. */
  async function handoverFile(userId) {
    var items = (await list()).filter(function (i) { return i.user_id === String(userId); });
    var out = [];
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var photos = [];
      for (var j = 0; j < item.photos.length; j++) {
        var p = item.photos[j];
        photos.push({ uuid: p.uuid, sha256: p.sha256, data: await base64Of(p.blob) });
      }
      var fields = item.fields.slice();
      if (photos.length) fields.push(['photo_ids', photos.map(function (p) { return p.uuid; }).join(',')]);
      out.push({ id: item.id, user_id: item.user_id, action: item.action, label: item.label, context: item.context,
                 url: item.url, created_at: item.created_at, fields: fields, photos: photos });
    }
    return new Blob([JSON.stringify({ format: 'wuye-outbox-handover', version: 1, user_id: String(userId),
                                      exported_at: deviceTime(), items: out })], { type: 'application/json' });
  }

  /* What the badge needs for one user: waiting, failed, login state, last sync. */
  async function summary(userId) {
    var items = await list();
    var mine = items.filter(function (i) { return i.user_id === String(userId); });
    return {
      waiting: mine.filter(function (i) { return i.state !== 'failed'; }).length,
      failed: mine.filter(function (i) { return i.state === 'failed'; }).length,
      others: items.length - mine.length,
      loginRequired: (await getMeta('auth')) === 'login_required',
      lastSync: await getMeta('last_sync'),
    };
  }

  var api = {
    enqueue: enqueue, list: list, recentlySent: recentlySent, status: status, retry: retry, replay: replay,
    networkBack: networkBack,
    summary: summary, fetchSession: fetchSession, handoverFile: handoverFile, getMeta: getMeta, setMeta: setMeta, deviceTime: deviceTime, uuid: uuid,
    channel: channel, onchange: function () {}, progress: null,
    core: { save: save, notify: notify, setMeta: setMeta, markDone: markDone, fetchSession: fetchSession },
  };
  global.WuyeOutbox = api;
})(self);
