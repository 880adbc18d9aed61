/* The sending half of the outbox (README "How offline works"): one replay round — each waiting item of the
   signed-in user in creation order, photos first, records in batches (POST /sync/batch, R28) when more than
   one waits, single requests otherwise or after an older server's 404; photo upload progress on
   WuyeOutbox.progress.photo. outbox.js loads it when something waits; the service worker imports it. */
(function (global) {
  'use strict';

  var api = global.WuyeOutbox;
  var core = api.core;
  var save = core.save, notify = core.notify, setMeta = core.setMeta, markDone = core.markDone;
  var fetchSession = core.fetchSession, deviceTime = api.deviceTime;
  var FIRST_BACKOFF_MS = 5000;
  var MAX_BACKOFF_MS = 10 * 60 * 1000;
  var BATCH_SIZE = 50; // actions per POST /sync/batch (the server takes up to 100)
  var PROGRESS_EVERY_MS = 200;
  var session = null; // {csrf_token, user_id} from GET /sync/csrf, fetched before each round

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

  /* Set by round(): when it began. An attempt that began before the network came back (outbox.networkBack,
     meta 'online_at') failed for want of it: it is due again at once, not after a back-off. */
  var roundBegan = 0;

  async function nextTry(item, result) {
    if (result.outcome === 'login') return 0; // after a login the same user's items go at once
    var back = await api.getMeta('online_at');
    if (back && back >= roundBegan) return 0;
    return Date.now() + backoff(item.attempts);
  }

  async function settle(item, result) {
    if (result.outcome === 'done') return markDone(item, result.message);
    if (result.outcome === 'quarantined') return markDone(item, result.message, true);
    if (result.outcome === 'failed') {
      item.state = 'failed';
      item.error = result.message || ('HTTP ' + result.status);
    } else {
      item.state = 'queued';
      item.next_try = await nextTry(item, result);
      if (result.outcome === 'retry' && result.message) item.error = result.message;
    }
    return save(item);
  }

  async function round(waiting, options) {
    roundBegan = Date.now();
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

  global.WuyeOutboxSend = { round: round };
})(self);
