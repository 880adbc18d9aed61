/* Gate forms (data-gate-check): the phone, ID number and plate are checked on the phone before the form goes
   to the outbox, so a typing error gets its Chinese message on the field even offline (the server checks again). */
(function () {
  'use strict';

  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = '10X98765432';
  var PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
  var L = 'A-HJ-NP-Z';
  var ORDINARY = new RegExp('^[' + PROVINCES + '][' + L + '][' + L + '0-9]{4}[' + L + '0-9挂学警港澳]$');
  var NEW_ENERGY = new RegExp('^[' + PROVINCES + '][' + L + ']([DF][' + L + '0-9]\\d{4}|\\d{5}[DF])$');

  function id18(value) {
    if (!/^\d{17}[\dX]$/.test(value)) return false;
    var total = 0;
    for (var i = 0; i < 17; i++) total += Number(value[i]) * WEIGHTS[i];
    return CHECK[total % 11] === value[17];
  }

  var checks = {
    phone: function (v) { return /^1[3-9]\d{9}$/.test(v.replace(/[\s-]/g, '')); },
    plate: function (v) { v = v.replace(/[\s·.\-•]/g, '').toUpperCase(); return ORDINARY.test(v) || NEW_ENERGY.test(v); },
    id: function (v, form) {
      var type = form.querySelector('[name="id_type"]');
      v = v.replace(/\s/g, '').toUpperCase();
      if (type && type.value === 'id18') return id18(v);
      return true;
    },
  };

  function setError(input, message) {
    var label = input.closest('label') || input.parentNode;
    var box = label.querySelector('[data-gate-error]');
    if (!message) { if (box) box.remove(); label.classList.remove('has-error'); return; }
    if (!box) {
      box = document.createElement('span');
      box.className = 'field-error';
      box.setAttribute('role', 'alert');
      box.setAttribute('data-gate-error', '');
      label.append(box);
    }
    label.classList.add('has-error');
    box.textContent = message;
  }

  function validate(form) {
    var ok = true;
    form.querySelectorAll('[data-check]').forEach(function (input) {
      var value = input.value.trim();
      var bad = value && !checks[input.dataset.check](value, form);
      setError(input, bad ? input.dataset.msg : '');
      if (bad) ok = false;
    });
    return ok;
  }

  /* G8: the watch list the page carries (names, plates, the last four of ID numbers) warns while typing;
     the guard records a decision. Never a refusal by the phone. */
  function watchHits(form) {
    var script = form.parentNode.querySelector('[data-watch-list]');
    if (!script) return [];
    var list = JSON.parse(script.textContent || '[]');
    var value = function (name) { var i = form.querySelector('[name="' + name + '"]'); return i ? i.value.trim() : ''; };
    var name = value('name');
    var plate = value('plate').replace(/[\s·.\-•]/g, '').toUpperCase();
    var id = value('id_number').replace(/\s/g, '').toUpperCase();
    return list.filter(function (e) {
      return (e.name && e.name === name) || (e.plate && e.plate === plate) || (e.id_tail && id.length >= 8 && id.slice(-4) === e.id_tail);
    });
  }

  function showWatch(form) {
    var box = form.querySelector('[data-watch-warning]');
    if (!box) return [];
    var hits = watchHits(form);
    box.hidden = !hits.length;
    box.querySelector('[data-watch-text]').textContent = hits.map(function (e) {
      return (e.name || e.plate || ('…' + e.id_tail)) + (e.note ? '：' + e.note : '');
    }).join('；');
    return hits;
  }

  document.addEventListener('input', function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute('data-gate-check')) showWatch(form);
  });

  /* G10–G11: the slips the gate page carried when it was cached (start of the shift). Offline, the phone
     decides from them (cached=1) and remembers what it released; the server re-validates on sync. */
  var USED_KEY = 'wuye-gate-used-slips';

  function usedHere() {
    try { return JSON.parse(localStorage.getItem(USED_KEY) || '[]'); } catch (e) { return []; }
  }

  function checkSlip(form) {
    var script = form.parentNode.querySelector('[data-slip-cache]');
    var list = script ? JSON.parse(script.textContent || '[]') : [];
    var number = form.querySelector('[name="number"]');
    var pieces = form.querySelector('[name="pieces"]');
    var info = form.querySelector('[data-slip-info]');
    var value = number.value.trim().toUpperCase();
    var slip = list.filter(function (s) { return s.number === value; })[0];
    var offline = !navigator.onLine;
    form.querySelector('[name="cached"]').value = '';
    setError(number, '');
    setError(pieces, '');
    if (!slip) {
      if (offline) setError(number, number.dataset.msgUnknown);  // recorded as a refused attempt on sync
      return true;
    }
    if (info) info.textContent = slip.goods + ' · ' + slip.unit + ' · ' + slip.pieces;
    if (usedHere().indexOf(value) >= 0) { setError(number, number.dataset.msgUsed); return true; }
    if (String(slip.pieces) !== pieces.value.trim()) {
      setError(pieces, pieces.dataset.msgCount.replace('{n}', slip.pieces));
      return false;  // a count that does not match: nothing is queued
    }
    if (offline) {
      form.querySelector('[name="cached"]').value = '1';
      var used = usedHere();
      used.push(value);
      localStorage.setItem(USED_KEY, JSON.stringify(used.slice(-200)));
    }
    return true;
  }

  /* 「扫码填入」: the scanner is loaded on the first tap (the service worker keeps it for the gate role, so this
     works offline) and fills the field; a slip's number then shows what the slip covers. */
  function loadScanner(button) {
    if (window.WuyeScanner && window.WuyeScanner.fill) return Promise.resolve(window.WuyeScanner);
    return new Promise(function (resolve) {
      var script = document.createElement('script');
      script.src = button.dataset.scannerSrc;
      script.dataset.decoder = button.dataset.decoder;
      script.onload = function () { resolve(window.WuyeScanner || null); };
      script.onerror = function () { resolve(null); };
      document.head.append(script);
    });
  }

  document.addEventListener('click', function (event) {
    var close = event.target.closest && event.target.closest('[data-scan-close]');
    if (close) {
      if (window.WuyeScanner) window.WuyeScanner.close();
      close.closest('[data-scan-panel]').hidden = true;
      return;
    }
    var button = event.target.closest && event.target.closest('[data-scan-into]');
    if (!button) return;
    var form = button.closest('form');
    var input = form.querySelector('[name="' + button.dataset.scanInto + '"]');
    var panel = button.nextElementSibling;
    loadScanner(button).then(function (scanner) {
      if (scanner) scanner.fill(input, panel);
    });
  });

  function showSlip(form) {
    var script = form.parentNode.querySelector('[data-slip-cache]');
    var list = script ? JSON.parse(script.textContent || '[]') : [];
    var value = form.querySelector('[name="number"]').value.trim().toUpperCase();
    var slip = list.filter(function (s) { return s.number === value; })[0];
    var info = form.querySelector('[data-slip-info]');
    if (info) info.textContent = slip ? slip.goods + ' · ' + slip.unit + ' · ' + slip.pieces : '';
  }

  /* G9: whom a pass is for, from the passes the page carried (names masked); the server checks it again. */
  function showPass(form) {
    var script = form.parentNode.querySelector('[data-pass-cache]');
    var list = script ? JSON.parse(script.textContent || '[]') : [];
    var value = form.querySelector('[name="pass"]').value.trim().toUpperCase();
    var found = list.filter(function (p) { return p.number === value; })[0];
    var info = form.querySelector('[data-pass-info]');
    if (!info) return;
    if (!value) info.textContent = '';
    else if (!found) info.textContent = value.length >= 8 ? info.dataset.msgUnknown : '';
    else info.textContent = [found.name, found.where, found.from + '–' + found.until, found.source].filter(Boolean).join(' · ');
  }

  document.addEventListener('input', function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute('data-slip-form') && event.target.name === 'number') showSlip(form);
    if (form && event.target.name === 'pass') showPass(form);
  });

  document.addEventListener('reset', function (event) {
    var box = event.target.querySelector && event.target.querySelector('[data-watch-warning]');
    if (box) box.hidden = true;
  });

  // Capture on window runs before the outbox's listener on document: an invalid form never reaches the outbox.
  window.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute('data-gate-check')) return;
    if (form.hasAttribute('data-slip-form')) {
      if (!checkSlip(form)) { event.preventDefault(); event.stopImmediatePropagation(); }
      return;
    }
    var hits = showWatch(form);
    var decided = form.querySelector('[name="watch_decision"]:checked');
    if (!validate(form) || (hits.length && !decided)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
