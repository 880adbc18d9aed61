/* Work-order pages: SLA clocks count down from data-due (amber within 15 min, red when late), and the
   resident's signature pad turns the drawing into a photo of the completion (a PNG → the outbox's JPEG). */
(function () {
  'use strict';

  var AMBER_MS = 15 * 60 * 1000;

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }

  function tickClock(node) {
    var due = Date.parse(node.dataset.due);
    if (isNaN(due)) return;
    var left = due - Date.now();
    var minutes = left >= 0 ? Math.floor(left / 60000) : Math.ceil(-left / 60000);
    var h = Math.floor(minutes / 60);
    var m = minutes % 60;
    var t = h ? fmt(node.dataset.fmtH, { h: h, m: m }) : fmt(node.dataset.fmtM, { m: m });
    var state = left < 0 ? 'red' : left <= AMBER_MS ? 'amber' : 'ok';
    // A number keeps its unit (「37\u00a0分」): with word-break: keep-all no 「分」 stands alone on a line.
    t = t.replace(/(\d) /g, '$1\u00a0');
    node.querySelector('[data-clock-text]').textContent = fmt(left < 0 ? node.dataset.fmtLate : node.dataset.fmtLeft, { t: t });
    node.classList.remove('wo-clock-ok', 'wo-clock-amber', 'wo-clock-red');
    node.classList.add('wo-clock-' + state);
    node.dataset.state = state;
  }

  /* The 完工 form is in the page before arrival but hidden; 「已到场」 (even queued offline) shows it. */
  window.addEventListener('submit', function (event) {
    if (!event.target.dataset || event.target.dataset.action !== 'order-arrive') return;
    document.querySelectorAll('[data-after-arrive]').forEach(function (form) { form.hidden = false; });
  }, true);

    function tickAll() {
    document.querySelectorAll('[data-clock][data-due]').forEach(tickClock);
  }

  /* ---- signature pad ---- */

  function setupPad(box) {
    var canvas = box.querySelector('[data-signature-pad]');
    var fileInput = box.querySelector('[data-signature-file]');
    var flag = box.querySelector('[data-signature-flag]');
    var ctx = canvas.getContext('2d');
    var drawing = false;
    var drawn = false;

    function point(event) {
      var r = canvas.getBoundingClientRect();
      return { x: (event.clientX - r.left) * canvas.width / r.width, y: (event.clientY - r.top) * canvas.height / r.height };
    }

    function clear() {
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      flag.value = '0';
      fileInput.value = '';
    }

    function save() {
      if (!drawn || typeof DataTransfer === 'undefined') return;
      canvas.toBlob(function (blob) {
        var transfer = new DataTransfer();
        transfer.items.add(new File([blob], 'signature.png', { type: 'image/png' }));
        fileInput.files = transfer.files;
        flag.value = '1';
      }, 'image/png');
    }

    canvas.addEventListener('pointerdown', function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
    });
    canvas.addEventListener('pointermove', function (event) {
      if (!drawing) return;
      var p = point(event);
      ctx.lineTo(p.x, p.y);
      ctx.lineWidth = 4;
      ctx.lineCap = 'round';
      ctx.strokeStyle = '#111';
      ctx.stroke();
      drawn = true;
    });
    ['pointerup', 'pointercancel'].forEach(function (name) {
      canvas.addEventListener(name, function () { if (drawing) { drawing = false; save(); } });
    });
    box.querySelector('[data-signature-clear]').addEventListener('click', clear);
    // The outbox resets the form after queueing it: start a fresh pad for the next order.
    box.closest('form').addEventListener('reset', function () { setTimeout(clear, 0); });
    clear();
  }

  function start() {
    tickAll();
    setInterval(tickAll, 30000);
    document.querySelectorAll('[data-signature]').forEach(setupPad);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
