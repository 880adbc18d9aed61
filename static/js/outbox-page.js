/* The 「上传记录」 page (/sync/outbox): what waits on this phone and why, what went lately, the phone's
   diagnostics, and for a deactivated account the hand-over file (R12). Only that page loads this script
   (the shell keeps it offline); app.js calls WuyeOutboxPage.render() whenever the outbox changes. */
(function () {
  'use strict';

  var outbox = self.WuyeOutbox;
  var app = self.WuyeApp;
  var t = app.t, el = app.el, dayTime = app.dayTime, refreshViews = app.refreshViews;
  var swUsable = app.swUsable, inWeChat = app.inWeChat;
  var userId = document.body.dataset.userId || '';

  function age(ms) {
    var minutes = Math.floor((Date.now() - ms) / 60000);
    if (minutes < 1) return t('just_now');
    if (minutes < 60) return t('minutes_ago', { n: minutes });
    if (minutes < 1440) return t('hours_ago', { n: Math.floor(minutes / 60) });
    return t('days_ago', { n: Math.floor(minutes / 1440) });
  }


  function itemRow(item) {
    var waitingPhotos = item.photos.filter(function (p) { return p.state !== 'sent'; }).length;
    var photoText = item.photos.length ? t('photos_count', { n: item.photos.length }) +
      (waitingPhotos ? ' · ' + t('photos_waiting', { n: waitingPhotos }) : '') : null;
    var state = item.state === 'sending' ? 'queued' : item.state;
    var photo = outbox.progress && outbox.progress.photo;
    var uploading = photo && photo.item === item.id ? el('span', { class: 'small', 'data-photo-progress': String(photo.percent) }, [
      t('photo_progress', { n: photo.index + 1, total: photo.count, percent: photo.percent }), ' ',
      el('progress', { max: '100', value: String(photo.percent) }),
    ]) : null;
    return el('li', { class: 'list-item outbox-item', 'data-item-id': item.id, 'data-state': state }, [
      el('strong', {}, [item.label + (item.context ? ' · ' + item.context : '')]),
      el('span', { class: 'muted small' }, [dayTime(item.created_at) + (photoText ? ' · ' + photoText : '')]),
      uploading,
      el('span', { class: 'badge ' + (state === 'failed' ? 'badge-bad' : 'badge-warn'), 'data-item-state': '' }, [t('state_' + state)]),
      item.attempts ? el('span', { class: 'muted small' }, [t('attempts', { n: item.attempts })]) : null,
      item.error ? el('p', { class: 'field-error', 'data-item-error': '' }, [item.error]) : null,
      state === 'failed' ? el('button', { type: 'button', class: 'btn', 'data-retry': item.id }, [t('retry')]) : null,
    ]);
  }

  /* Nobody signed in: if the server says this phone's account was deactivated, list what the phone still
     holds for it and offer the hand-over file (R12). */
  var handoverTried = false;

  async function renderHandover(list) {
    var session = await outbox.fetchSession().catch(function () { return null; });
    var owner = session && session.deactivated_user ? session.deactivated_user : await outbox.getMeta('deactivated');
    if (!owner) { list.replaceChildren(el('p', { class: 'muted' }, [t('outbox_sign_in')])); return; }
    if (session && session.deactivated_user && !handoverTried) {
      handoverTried = true;  // once per page: hand over what the server still accepts, then list the rest
      outbox.replay({ force: true }).then(refreshViews);
    }
    var all = await outbox.list();
    var items = all.filter(function (i) { return i.user_id === String(owner); });
    var handedOn = (await outbox.recentlySent()).filter(function (i) { return i.user_id === String(owner) && i.quarantined; });
    var button = el('button', { type: 'button', class: 'btn btn-block', 'data-handover-download': '' }, [t('handover_download')]);
    button.addEventListener('click', async function () {
      var blob = await outbox.handoverFile(owner);
      var link = el('a', { href: URL.createObjectURL(blob), download: 'wuye-records-' + owner + '.json' });
      document.body.append(link);
      link.click();
      link.remove();
    });
    var parts = [
      handedOn.length ? el('p', { class: 'notice', 'data-quarantined-notice': String(handedOn.length) },
        [t('quarantined_notice', { n: handedOn.length })]) : null,
      el('p', { class: 'notice notice-warn', 'data-deactivated': String(owner) }, [t('deactivated_notice', { n: items.length })]),
      items.length ? el('ul', { class: 'list' }, items.map(itemRow)) : el('p', { class: 'muted' }, [t('outbox_empty')]),
      items.length ? button : null,
    ];
    list.replaceChildren.apply(list, parts.filter(Boolean));
  }

  async function renderOutboxPage(list) {
    if (!userId) return renderHandover(list);
    var items = await outbox.list();
    var mine = items.filter(function (i) { return i.user_id === userId; });
    var others = items.length - mine.length;
    var sent = (await outbox.recentlySent()).filter(function (i) { return i.user_id === userId; });
    var parts = [mine.length ? el('ul', { class: 'list' }, mine.map(itemRow)) : el('p', { class: 'muted' }, [t('outbox_empty')])];
    if (mine.some(function (i) { return i.state === 'failed'; })) {
      parts.push(el('button', { type: 'button', class: 'btn btn-block', 'data-retry-all': '' }, [t('retry_all')]));
    }
    if (others) parts.push(el('p', { class: 'notice notice-warn', 'data-others-waiting': String(others) }, [t('others_waiting', { n: others })]));
    var handedOn = sent.filter(function (i) { return i.quarantined; });
    if (handedOn.length) {
      parts.push(el('p', { class: 'notice notice-warn', 'data-quarantined-notice': String(handedOn.length) },
        [t('quarantined_notice', { n: handedOn.length })]));
    }
    if (sent.length) {
      parts.push(el('h2', {}, [t('recently_sent')]));
      parts.push(el('ul', { class: 'plain small', 'data-sent-list': '' }, sent.map(function (i) {
        var attrs = i.quarantined ? { 'data-quarantined': i.id } : {};
        return el('li', attrs, [dayTime(i.created_at) + ' ' + i.label + (i.context ? ' · ' + i.context : '') + ' — ' + (i.message || t('sent'))]);
      })));
    }
    list.replaceChildren.apply(list, parts);
    renderDiagnostics(items.filter(function (i) { return i.state !== 'failed'; }));
  }

  function setDiag(key, text) {
    var node = document.querySelector('[data-diag="' + key + '"]');
    if (node) node.textContent = text;
  }

  async function renderDiagnostics(waiting) {
    if (!document.querySelector('[data-diag]')) return;
    var storage = navigator.storage || {};
    setDiag('persisted', storage.persisted ? ((await storage.persisted()) ? t('yes') : t('no')) : t('unknown'));
    if (storage.estimate) {
      var e = await storage.estimate();
      setDiag('usage', (e.usage / 1048576).toFixed(1) + ' MB / ' + (e.quota / 1048576).toFixed(0) + ' MB');
    }
    var oldest = waiting.reduce(function (min, i) { return Math.min(min, i.created_ms); }, Infinity);
    setDiag('oldest', oldest === Infinity ? '—' : age(oldest));
    var sw = inWeChat ? t('sw_wechat') : !swUsable ? t('sw_none')
      : navigator.serviceWorker.controller ? t('sw_active') : t('sw_installing');
    setDiag('sw', sw);
    var lastSync = await outbox.getMeta('last_sync');
    setDiag('last-sync', lastSync ? dayTime(lastSync) : t('never'));
    var refresh = await outbox.getMeta('offline_refresh:' + userId);
    setDiag('offline-refresh', refresh ? dayTime(refresh) : t('never'));
  }

  function render() {
    var list = document.querySelector('[data-outbox-list]');
    if (list) renderOutboxPage(list);
  }

  self.WuyeOutboxPage = { render: render };
  render();
})();
