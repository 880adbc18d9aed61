/* The phone audit of one page (tests/e2e/test_thumb_sized.py): tap targets under 44×44 px (a radio or
   checkbox counts by the label row holding it), targets under the fixed bottom navigation when scrolled to
   the end, text under 7 : 1 against its background (sunlight), the page's width, base font, links and text. */
() => {
  const MIN = 44;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  // Inside a closed <details> (not its summary) nothing shows, whatever its box says.
  const folded = el => {
    for (let d = el.closest('details'); d; d = d.parentElement && d.parentElement.closest('details')) {
      if (!d.open && !el.closest('summary')) return true;
    }
    return false;
  };
  const shown = (el, box) => box.width && box.height && getComputedStyle(el).visibility !== 'hidden' &&
    !el.closest('[hidden], .icon-sprite') && !folded(el);

  const seen = new Set(), small = [];
  const targets = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]';
  for (const el of document.querySelectorAll(targets)) {
    const row = el.matches('input[type=radio], input[type=checkbox], input[type=file]') && el.closest('label');
    const target = row || el;
    if (seen.has(target)) continue;
    seen.add(target);
    const box = target.getBoundingClientRect();
    if (!shown(target, box)) continue;
    if (box.width < MIN || box.height < MIN) {
      const text = (target.innerText || target.value || target.getAttribute('aria-label') || target.name || '').trim();
      small.push(`${name(target)} 「${text.slice(0, 20)}」 ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }

  const under = [], nav = document.querySelector('.bottom-nav');
  if (nav) {
    window.scrollTo(0, document.documentElement.scrollHeight);
    const navTop = nav.getBoundingClientRect().top;
    for (const target of seen) {
      const box = target.getBoundingClientRect();
      if (!shown(target, box) || nav.contains(target)) continue;
      if (box.bottom > navTop + 1 && box.top < window.innerHeight) {
        under.push(`${name(target)} 「${(target.innerText || '').trim().slice(0, 20)}」`);
      }
    }
    window.scrollTo(0, 0);
  }

  // WCAG contrast, held to the enhanced 7 : 1 (AAA) so that text reads in sunlight.
  const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b]
    .map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const faint = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const box = el.getBoundingClientRect();
    if (!shown(el, box) || el.closest('[disabled], [aria-disabled=true], .inactive, option, script, style')) continue;
    const style = getComputedStyle(el);
    if (parseFloat(style.opacity) < 1) continue;
    let back = [255, 255, 255];
    for (let node = el; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { back = c; break; }
    }
    const [a, b] = [lum(rgb(style.color)) + 0.05, lum(back) + 0.05];
    const ratio = Math.max(a, b) / Math.min(a, b);
    if (ratio < 7) faint.push(`${name(el)} 「${el.textContent.trim().slice(0, 16)}」 ${ratio.toFixed(1)}:1`);
  }

  const doc = document.documentElement, wide = [];
  if (doc.scrollWidth > doc.clientWidth) {
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.right > doc.clientWidth + 1 && box.width && !el.closest('.icon-sprite')) {
        wide.push(`${name(el)} right=${Math.round(box.right)}`);
        if (wide.length > 4) break;
      }
    }
  }
  return {small, under, faint, wide, width: doc.scrollWidth, font: parseFloat(getComputedStyle(document.body).fontSize),
          links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')), text: document.body.innerText};
}
