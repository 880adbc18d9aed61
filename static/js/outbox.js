/* The on-phone outbox: field actions kept in IndexedDB and replayed exactly once (README "How offline works").
   No DOM here: the service worker imports this file for Background Sync. Pages use self.WuyeOutbox. */
(function (global) {
  'use strict';

  var DB_NAME = 'wuye-outbox';
  var FIRST_BACKOFF_MS = 5000;
  var MAX_BACKOFF_MS = 10 * 60 * 1000;
  var SENT_LOG_SIZE = 100; // the upload page lists each item's result; a 100-action replay fits
  var BATCH_SIZE = 50; // actions per POST /sync/batch (the server takes up to 100)
  var PROGRESS_EVERY_MS = 200;
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

  /* ---- sending ---- */

  var session = null; // {csrf_token, user_id} from GET /sync/csrf, fetched before each round

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

  function headersFor(item, key, extra) {
    return Object.assign({
      'Idempotency-Key': key, 'X-Device-Time': item.created_at, 'X-Device-Sent-At': deviceTime(),
      'X-CSRFToken': session.csrf_token, Accept: 'application/json',
    }, extra || {});
  }

  /* One answer (status + JSON body), classified as the README table says: done | retry | csrf | login |
     quarantined | failed. A batch result is classified the same way as the single answer it stands for. */
  function classify(s, data) {
    data = data || {};
    var result = { status: s, message: data.message || '', code: data.error || '' };
    if (s >= 200 && s < 300) result.outcome = 'done';
    else if (s === 400 && data.error === 'csrf') result.outcome = 'csrf';
    else if (s === 401) result.outcome = 'login';
    // Kept by the server for a supervisor (R12): stored there, so the phone may let it go.
    else if (s === 409 && data.status === 'quarantined') result.outcome = 'quarantined';
    else if ((s === 409 && data.error === 'in_progress') || s === 408 || s === 429 || s >= 500) result.outcome = 'retry';
    else result.outcome = 'failed';
    return result;
  }

  function fetchPost(url, body, headers) {
    return fetch(url, { method: 'POST', body: body, headers: headers, credentials: 'same-origin', cache: 'no-store' })
      .then(async function (response) {
        var data = {};
        try { data = await response.json(); } catch (notJson) { data = {}; }
        return { status: response.status, data: data };
      });
  }

  /* In a page, photos go by XMLHttpRequest for its upload progress events (the service worker has fetch only). */
  function xhrPost(url, body, headers, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      Object.keys(headers).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      xhr.withCredentials = true;
      if (onProgress) xhr.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(e.loaded, e.total); };
      xhr.onload = function () {
        var data = {};
        try { data = JSON.parse(xhr.responseText); } catch (notJson) { data = {}; }
        resolve({ status: xhr.status, data: data });
      };
      xhr.onerror = xhr.onabort = xhr.ontimeout = function () { reject(new Error('network')); };
      xhr.send(body);
    });
  }

  /* One POST, classified (see classify). */
  async function post(url, body, headers, onProgress) {
    var answer;
    try {
      answer = onProgress && typeof XMLHttpRequest === 'function' ? await xhrPost(url, body, headers, onProgress)
        : await fetchPost(url, body, headers);
    } catch (networkError) {
      return { outcome: 'retry', message: '' };
    }
    return classify(answer.status, answer.data);
  }

  /* POST once; on a stale CSRF token fetch a fresh one and resend once (R9). */
  async function postWithFreshToken(url, makeBody, item, key, extraHeaders, onProgress) {
    var result = await post(url, makeBody(), headersFor(item, key, extraHeaders), onProgress);
    if (result.outcome !== 'csrf') return result;
    if (!(await freshSession(item.user_id))) return { outcome: 'login', message: '' };
    result = await post(url, makeBody(), headersFor(item, key, extraHeaders), onProgress);
    return result.outcome === 'csrf' ? { outcome: 'retry', message: result.message } : result;
  }

  /* A new CSRF token for `userId` after a stale one (R9); false when that user is no longer signed in. */
  async function freshSession(userId) {
    var fresh = await fetchSession().catch(function () { return null; });
    if (fresh && fresh.deactivated_user && fresh.csrf_token) {
      fresh = { csrf_token: fresh.csrf_token, user_id: fresh.deactivated_user, deactivated: true };
    }
    if (!fresh || fresh.login_required || fresh.user_id !== userId) return false;
    session = fresh;
    return true;
  }

  function photoBody(photo) {
    return function () {
      var form = new FormData();
      form.append('photo', photo.blob, photo.uuid + '.jpg');
      return form;
    };
  }

  function recordBody(item) {
    return function () {
      var params = new URLSearchParams();
      item.fields.forEach(function (pair) { params.append(pair[0], pair[1]); });
      if (item.photos.length) params.append('photo_ids', item.photos.map(function (p) { return p.uuid; }).join(','));
      return params;
    };
  }

  /* Each of the item's photos not yet sent, in order, with its upload progress on api.progress.photo. */
  async function sendPhotos(item) {
    item.state = 'sending';
    item.attempts += 1;
    await save(item);
    for (var i = 0; i < item.photos.length; i++) {
      var photo = item.photos[i];
      if (photo.state === 'sent') continue;
      var answer = await postWithFreshToken('/sync/photos', photoBody(photo), item, photo.uuid,
        { 'X-Content-SHA256': photo.sha256 }, photoProgress(item, i));
      if (answer.outcome !== 'done') return answer;
      photo.state = 'sent';
      setPhotoProgress(null);
      await save(item);
    }
    return { outcome: 'done' };
  }

  async function sendItem(item) {
    var photos = await sendPhotos(item);
    if (photos.outcome !== 'done') return photos;
    return postWithFreshToken(item.url, recordBody(item), item, item.id);
  }

  var lastProgressNotice = 0;

  function setPhotoProgress(value) {
    if (api.progress) api.progress.photo = value;
  }

  /* The upload progress of photo `index` of `item`: {item, index, count, percent} on api.progress.photo,
     the pages told at most every PROGRESS_EVERY_MS. */
  function photoProgress(item, index) {
    return function (loaded, total) {
      setPhotoProgress({ item: item.id, index: index, count: item.photos.length,
                         percent: total ? Math.floor(100 * loaded / total) : 0 });
      var now = Date.now();
      if (now - lastProgressNotice >= PROGRESS_EVERY_MS || loaded === total) {
        lastProgressNotice = now;
        notify();
      }
    };
  }

  /* The batch's body: each action as its single request would carry it (R28). */
  function batchBody(items) {
    var sentAt = deviceTime();
    return JSON.stringify({ actions: items.map(function (item) {
      var fields = item.fields.slice();
      if (item.photos.length) fields.push(['photo_ids', item.photos.map(function (p) { return p.uuid; }).join(',')]);
      return { key: item.id, device_time: item.created_at, sent_at: sentAt, path: item.url, fields: fields };
    }) });
  }

  /* POST /sync/batch: {results: [one classified result per item]}, or one result for the whole batch
     (network trouble, login, stale token twice), or outcome 'unsupported' from an older server (404). */
  async function postBatch(items) {
    var headers = function () {
      return { 'Content-Type': 'application/json', 'X-CSRFToken': session.csrf_token, Accept: 'application/json' };
    };
    var answer;
    for (var attempt = 0; attempt < 2; attempt++) {
      try {
        answer = await fetchPost('/sync/batch', batchBody(items), headers());
      } catch (networkError) {
        return { outcome: 'retry', message: '' };
      }
      if (answer.status === 404) return { outcome: 'unsupported' };
      var whole = classify(answer.status, answer.data);
      if (whole.outcome === 'csrf' && attempt === 0) {
        if (!(await freshSession(items[0].user_id))) return { outcome: 'login', message: '' };
        continue;
      }
      if (answer.status !== 200 || !Array.isArray(answer.data.results)) {
        return whole.outcome === 'done' || whole.outcome === 'csrf' ? { outcome: 'retry', message: whole.message } : whole;
      }
      return { results: items.map(function (item, i) {
        var r = answer.data.results[i];
        return r && r.key === item.id ? classify(r.status, r.body) : { outcome: 'retry', message: '' };
      }) };
    }
    return { outcome: 'retry', message: '' };
  }

  function backoff(attempts) {
    return Math.min(FIRST_BACKOFF_MS * Math.pow(2, Math.max(0, attempts - 1)), MAX_BACKOFF_MS);
  }

  async function settle(item, result) {
    if (result.outcome === 'done') return markDone(item, result.message);
    if (result.outcome === 'quarantined') return markDone(item, result.message, true);
    if (result.outcome === 'failed') {
      item.state = 'failed';
      item.error = result.message || ('HTTP ' + result.status);
    } else {
      item.state = 'queued';
      // After a login the same user's items go at once; other troubles back off.
      item.next_try = result.outcome === 'login' ? 0 : Date.now() + backoff(item.attempts);
      if (result.outcome === 'retry' && result.message) item.error = result.message;
    }
    return save(item);
  }

  async function round(options) {
    var waiting = (await list()).filter(function (i) { return i.state === 'queued' || i.state === 'sending'; });
    if (!waiting.length) return { sent: 0, waiting: 0 };
    try {
      session = await fetchSession();
    } catch (offline) {
      return { offline: true };
    }
    if (session.deactivated_user && session.csrf_token) {
      session = { csrf_token: session.csrf_token, user_id: session.deactivated_user, deactivated: true };
    } else if (session.login_required) {
      await setMeta('auth', 'login_required');
      return { login_required: true };
    }
    await setMeta('auth', session.deactivated ? 'login_required' : 'ok');
    var mine = waiting.filter(function (i) { return i.user_id === session.user_id; });
    var counts = { sent: 0, failed: 0 };
    try {
      var i = 0;
      while (i < mine.length) {
        // Creation order: an item still backing off holds back the ones made after it.
        if (!options.force && mine[i].next_try > Date.now()) break;
        var useBatch = batchSupported && !session.deactivated && mine.length - i > 1;
        var step = useBatch ? await sendBatchFrom(mine, i, options, counts) : await sendOneAt(mine, i, counts);
        if (step.unsupported) { batchSupported = false; continue; }
        i = step.next;
        if (step.stop) break;
      }
    } finally {
      api.progress = null;
    }
    return { sent: counts.sent, remaining: mine.length - counts.sent - counts.failed };
  }

  var batchSupported = true; // false after an older server answered 404 to /sync/batch (until the page reloads)

  function showProgress(done, total) {
    api.progress = { done: done, total: total, photo: null }; // 「上传中 N/M」 on the badge
    notify();
  }

  /* After an item's result: count it; whether the round stops here (login, or a retry holding the rest). */
  async function afterResult(item, result, counts) {
    await settle(item, result);
    if (result.outcome === 'done' || result.outcome === 'quarantined') { counts.sent += 1; return false; }
    if (result.outcome === 'failed') { counts.failed += 1; return false; }
    if (result.outcome === 'login') await setMeta('auth', 'login_required');
    return true;
  }

  async function sendOneAt(mine, i, counts) {
    showProgress(i, mine.length);
    var result = await sendItem(mine[i]);
    var stop = await afterResult(mine[i], result, counts);
    showProgress(i + 1, mine.length);
    return { next: i + 1, stop: stop };
  }

  /* Up to BATCH_SIZE items from mine[i], in creation order: each one's photos first (idempotent uploads, as
     alone), then one POST /sync/batch; each item settles on its own result. */
  async function sendBatchFrom(mine, i, options, counts) {
    var chunk = [];
    var j = i;
    var halted = null; // an item whose photos could not go: the batch ends before it
    showProgress(i, mine.length);
    for (; j < mine.length && chunk.length < BATCH_SIZE; j++) {
      if (!options.force && mine[j].next_try > Date.now()) break;
      var photos = await sendPhotos(mine[j]);
      if (photos.outcome !== 'done') { halted = { item: mine[j], result: photos }; break; }
      chunk.push(mine[j]);
    }
    var stop = false;
    if (chunk.length) {
      var answer = await postBatch(chunk);
      if (answer.outcome === 'unsupported') {
        for (var u = 0; u < chunk.length; u++) { chunk[u].attempts -= 1; chunk[u].state = 'queued'; await save(chunk[u]); }
        return { unsupported: true, next: i };
      }
      for (var k = 0; k < chunk.length; k++) {
        var result = answer.results ? answer.results[k] : answer;
        if (await afterResult(chunk[k], result, counts)) stop = true;
      }
    }
    if (halted) {
      if (await afterResult(halted.item, halted.result, counts)) stop = true;
      j += 1;
    }
    showProgress(j, mine.length);
    return { next: j, stop: stop || (!chunk.length && !halted) };
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
    summary: summary, fetchSession: fetchSession, handoverFile: handoverFile, getMeta: getMeta, setMeta: setMeta, deviceTime: deviceTime, uuid: uuid,
    channel: channel, onchange: function () {}, progress: null,
  };
  global.WuyeOutbox = api;
})(self);
