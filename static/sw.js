/* 物业外勤 service worker. The server prepends self.WUYE_SW = {version, shell, imports}.
   The shell (precached at install) is what every role needs; each role's own scripts and pages come with
   its offline download (/sync/manifest: assets + pages); the QR decoder only when the scanner asks for it. */
/* eslint-env serviceworker */
'use strict';

var CONFIG = self.WUYE_SW || { version: 'dev', shell: [], imports: [] };
var SHELL_CACHE = 'shell-' + CONFIG.version;
var PAGES_PREFIX = 'pages-u';
var ASSETS_CACHE = 'assets'; // role scripts and the decoder: hashed, immutable URLs, one version per file
var HASHED = /\.[0-9a-f]{10}(\.[A-Za-z0-9]+)$/;
var NAVIGATION_TIMEOUT_MS = 4000;

importScripts.apply(self, CONFIG.imports);

self.addEventListener('install', function (event) {
  event.waitUntil(precacheShell().then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(deleteOldShellCaches().then(function () { return self.clients.claim(); }));
});

function precacheShell() {
  return caches.open(SHELL_CACHE).then(function (cache) {
    // Without cookies: the cached offline page must not carry anyone's name or id. Static files go as the
    // page's own requests did, so those the page has just loaded come from the browser's HTTP cache.
    var requests = CONFIG.shell.map(function (url) {
      return new Request(url, { credentials: url.indexOf('/static/') === 0 ? 'same-origin' : 'omit' });
    });
    return cache.addAll(requests);
  });
}

function deleteOldShellCaches() {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf('shell-') === 0 && name !== SHELL_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request));
  } else if (url.pathname.indexOf('/static/') === 0 || url.pathname === '/manifest.webmanifest') {
    event.respondWith(fromShell(request));
  }
});

function navigate(request) {
  return networkWithTimeout(request, NAVIGATION_TIMEOUT_MS).catch(function () {
    return fromPageCaches(request).then(function (cached) {
      return cached || caches.match('/offline', { cacheName: SHELL_CACHE });
    }).then(function (response) {
      return response || Response.error();
    });
  });
}

function networkWithTimeout(request, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error('timeout')); }, ms);
    fetch(request).then(function (response) {
      clearTimeout(timer);
      resolve(response);
    }, function (error) {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function pageCacheNames() {
  return caches.keys().then(function (names) {
    return names.filter(function (name) { return name.indexOf(PAGES_PREFIX) === 0; });
  });
}

function fromPageCaches(request) {
  return pageCacheNames().then(function (names) {
    return names.reduce(function (found, name) {
      return found.then(function (hit) {
        return hit || caches.open(name).then(function (cache) { return cache.match(request, { ignoreSearch: true }); });
      });
    }, Promise.resolve(undefined));
  });
}

/* css/app.<hash>.css → /static/css/app.css: the same file in any release. */
function logicalPath(url) {
  return new URL(url, self.location.origin).pathname.replace(HASHED, '$1');
}

function anyVersion(cacheName, request) {
  var wanted = logicalPath(request.url);
  return caches.open(cacheName).then(function (cache) {
    return cache.keys().then(function (keys) {
      var key = keys.filter(function (k) { return logicalPath(k.url) === wanted; })[0];
      return key ? cache.match(key) : undefined;
    });
  });
}

/* A static file that is not in the shell (a role's script, the decoder) is kept once fetched. */
function keepAsset(request, response) {
  if (!response.ok || !HASHED.test(new URL(request.url).pathname)) return Promise.resolve(response);
  var copy = response.clone();
  var wanted = logicalPath(request.url);
  return caches.open(ASSETS_CACHE).then(function (cache) {
    return cache.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.url !== request.url && logicalPath(k.url) === wanted; })
        .map(function (k) { return cache.delete(k); }));
    }).then(function () { return cache.put(request, copy); });
  }).then(function () { return response; }, function () { return response; });
}

function fromShell(request) {
  return caches.match(request).then(function (hit) {
    // A page cached before a release names an older hash; any version of the file beats none offline.
    return hit || fetch(request).then(function (response) { return keepAsset(request, response); }).catch(function () {
      return anyVersion(SHELL_CACHE, request).then(function (old) { return old || anyVersion(ASSETS_CACHE, request); })
        .then(function (old) { return old || Response.error(); });
    });
  });
}

/* Pages for one user: {type: 'cache-pages', userId, pages, assets} and {type: 'clear-pages', keepUserId}.
   While caching, the port receives {progress: true, done, total} after each file. */
self.addEventListener('message', function (event) {
  var data = event.data || {};
  var reply = function (result) { if (event.ports && event.ports[0]) event.ports[0].postMessage(result); };
  var work;
  if (data.type === 'cache-pages') work = cachePages(data.userId, data.pages || [], data.assets || [], reply);
  else if (data.type === 'clear-pages') work = clearPages(data.keepUserId);
  else if (data.type === 'replay') work = self.WuyeOutbox.replay({ force: true });
  else return;
  event.waitUntil(work.then(reply, function (error) { reply({ ok: false, error: String(error) }); }));
});

/* The pages come in a few downloads of up to PAGES_PER_DOWNLOAD each (GET /sync/pages): compressed
   together, the shell every page repeats is sent once. Each page is stored under its own URL with its own
   headers, as if fetched alone, so it opens offline (a cold reload included). A server without /sync/pages
   (or a download that fails) gets the pages one at a time, as before. Role scripts one at a time. */
var PAGES_PER_DOWNLOAD = 50;
var MAX_QUERY = 1800;

function pageGroups(pages) {
  var groups = [];
  var group = [];
  var length = 0;
  pages.forEach(function (page) {
    var part = encodeURIComponent(page).length + 3;
    if (group.length && (group.length >= PAGES_PER_DOWNLOAD || length + part > MAX_QUERY)) {
      groups.push(group);
      group = [];
      length = 0;
    }
    group.push(page);
    length += part;
  });
  if (group.length) groups.push(group);
  return groups;
}

function storePage(cache, url, entry) {
  var headers = new Headers(entry.headers || {});
  if (!headers.has('Content-Type')) headers.set('Content-Type', 'text/html; charset=utf-8');
  return cache.put(url, new Response(entry.body, { status: 200, headers: headers }));
}

function fetchPageAlone(cache, page) {
  return fetch(page, { credentials: 'same-origin' }).then(function (response) {
    // A redirect (e.g. to /login) is not the page: keep whatever we had.
    if (response.ok && !response.redirected) return cache.put(page, response).then(function () { return true; });
    return false;
  }, function () { return false; });
}

/* One download of `group`; resolves to how many pages were stored. `step` after each page. */
function cacheGroup(cache, group, step) {
  var query = group.map(function (page) { return 'u=' + encodeURIComponent(page); }).join('&');
  return fetch('/sync/pages?' + query, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then(function (response) {
      if (!response.ok || response.redirected) throw new Error('pages ' + response.status);
      return response.json();
    }).then(function (data) {
      var byUrl = {};
      (data.pages || []).forEach(function (entry) { byUrl[entry.url] = entry; });
      return group.reduce(function (chain, page) {
        return chain.then(function (stored) {
          var entry = byUrl[page];
          return (entry ? storePage(cache, page, entry).then(function () { return stored + 1; }) : Promise.resolve(stored))
            .then(function (n) { step(); return n; });
        });
      }, Promise.resolve(0));
    }, function () {
      return group.reduce(function (chain, page) {
        return chain.then(function (stored) {
          return fetchPageAlone(cache, page).then(function (ok) { step(); return stored + (ok ? 1 : 0); });
        });
      }, Promise.resolve(0));
    });
}

function cachePages(userId, pages, assets, report) {
  var name = PAGES_PREFIX + userId;
  var total = assets.length + pages.length;
  var done = 0;
  var count = 0;
  var step = function () { done += 1; report({ progress: true, done: done, total: total }); };
  return clearPages(userId).then(function () { return caches.open(name); }).then(function (cache) {
    var chain = Promise.resolve();
    assets.forEach(function (url) {
      chain = chain.then(function () {
        var request = new Request(url, { credentials: 'same-origin' });
        return caches.match(request).then(function (hit) {
          return hit || fetch(request).then(function (response) { return keepAsset(request, response); });
        }).catch(function () {}).then(step);
      });
    });
    pageGroups(pages).forEach(function (group) {
      chain = chain.then(function () {
        return cacheGroup(cache, group, step).then(function (stored) { count += stored; });
      });
    });
    return chain;
  }).then(function () {
    return { ok: count > 0, count: count, total: pages.length };
  });
}

function clearPages(keepUserId) {
  var keep = keepUserId ? PAGES_PREFIX + keepUserId : null;
  return pageCacheNames().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== keep; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return { ok: true }; });
}

self.addEventListener('sync', function (event) {
  if (event.tag !== 'outbox' || !self.WuyeOutbox) return;
  event.waitUntil(self.WuyeOutbox.replay({ force: true }).then(function (result) {
    // A rejected sync is retried by the browser later; a signed-out phone waits for the next login instead.
    if (result.offline || result.error || result.remaining > 0) throw new Error('outbox not empty');
  }));
});

/* Web Push (issue 16): an alert shown as a notification; a tap opens the app, whose page shows the alert. */
self.addEventListener('push', function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (notJson) { data = { text: event.data && event.data.text() }; }
  event.waitUntil(self.registration.showNotification(data.level === 'red' ? '紧急提醒' : '提醒', {
    body: data.text || '', tag: 'alert-' + (data.id || ''), requireInteraction: data.level === 'red',
  }));
});

self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  event.waitUntil(self.clients.matchAll({ type: 'window' }).then(function (windows) {
    if (windows.length) return windows[0].focus();
    return self.clients.openWindow('/');
  }));
});
