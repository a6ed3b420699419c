package portaltest

import (
	"strings"

	"github.com/chromedp/chromedp"
)

// legibleScript lists the visible controls (buttons, links, fields,
// <summary>) whose text is too faint against what is behind it: the WCAG
// contrast ratio of the text's colour to its effective background (the
// first opaque background up the ancestors, with the translucent ones
// between laid over it) under 4.5:1, or 3:1 for large text (24 px, or
// 18.66 px bold). Each text of a control is measured in the element that
// colours it (a count in a chip is muted, its label not); a field is
// measured by its value, or its placeholder when empty. axe-core passed
// white-on-white buttons because the pages it saw did not show them: this
// runs on whatever state the test has brought the page to.
const legibleScript = `(() => {
  const parse = s => {
    const m = /rgba?\(([^)]+)\)/.exec(s || "");
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(v => v.endsWith("%") ? parseFloat(v) / 100 : parseFloat(v));
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1]; // the canvas
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const lum = c => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const hex = c => "#" + c.slice(0, 3).map(v => Math.round(v).toString(16).padStart(2, "0")).join("");
  const out = [];
  const check = (control, el, text, colour) => {
    const cs = getComputedStyle(el);
    const bg = background(el);
    const c = parse(colour || cs.color);
    if (!c) { out.push(control.tagName.toLowerCase() + " 「" + text + "」: colour " + cs.color + " not understood"); return; }
    const fg = over(c, bg);
    const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight, 10) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    const got = ratio(fg, bg);
    if (got < need) {
      const id = control.id ? "#" + control.id : (control.className ? "." + String(control.className).trim().split(/\s+/).join(".") : "");
      out.push(control.tagName.toLowerCase() + id + " 「" + text.slice(0, 30) + "」: " + hex(fg) + " on " + hex(bg) + " is " + got.toFixed(2) + ":1, want " + need + ":1");
    }
  };
  const seen = c => c.checkVisibility({visibilityProperty: true, opacityProperty: true}) && c.getBoundingClientRect().width > 0 && c.getBoundingClientRect().height > 0;
  for (const c of document.querySelectorAll("button, a[href], input, select, textarea, summary")) {
    if (c.disabled || !seen(c)) continue; // an inactive control is exempt
    if (c.matches("input[type=checkbox], input[type=radio], input[type=hidden], input[type=file], input[type=range], input[type=color]")) continue;
    if (c.matches("input, textarea")) {
      if (c.value.trim()) check(c, c, c.value.trim());
      else if (c.placeholder) check(c, c, c.placeholder, getComputedStyle(c, "::placeholder").color);
      continue;
    }
    if (c.matches("select")) {
      const o = c.options[c.selectedIndex];
      if (o && o.text.trim()) check(c, c, o.text.trim());
      continue;
    }
    const walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
    const done = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.data.trim() || done.has(el) || !seen(el)) continue;
      done.add(el);
      check(c, el, n.data.trim());
    }
  }
  return out;
})()`

// Legible checks that no visible control on the current page has text too
// faint to read against its background (WCAG 1.4.3, AA).
func (s *Session) Legible(what string) {
	s.T.Helper()
	faint, err := chromedp.Run(s.Ctx, chromedp.Evaluate[[]string](legibleScript))
	if err != nil {
		s.T.Errorf("%s: contrast not measured: %v", what, err)
		return
	}
	if len(faint) > 0 {
		s.T.Errorf("%s: controls too faint to read:\n  %s", what, strings.Join(faint, "\n  "))
	}
}

// roomyScript lists what a narrow screen squeezes: a table cell (with
// text) narrower than four characters of its own font, a table wider than
// its box that is not a labelled, focusable scrolling region (as the open
// data table is), and a select or a placeholder cut off by its own field.
const roomyScript = `(() => {
  const out = [];
  const seen = e => e.checkVisibility({visibilityProperty: true}) && e.getBoundingClientRect().width > 0;
  const px = (cs, p) => parseFloat(cs[p]) || 0;
  const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "");
  for (const cell of document.querySelectorAll("main th, main td")) {
    if (!seen(cell) || !cell.textContent.trim()) continue;
    const cs = getComputedStyle(cell);
    const w = cell.clientWidth - px(cs, "paddingLeft") - px(cs, "paddingRight");
    if (w < 4 * px(cs, "fontSize") - 0.5) out.push(name(cell.closest("table")) + " cell 「" + cell.textContent.trim().slice(0, 20) + "」 is " + w.toFixed(0) + " px wide, under 4 characters");
  }
  for (const t of document.querySelectorAll("main table")) {
    if (!seen(t)) continue;
    const wrap = t.closest(".table-wrap");
    const box = wrap || t.parentElement;
    if (t.getBoundingClientRect().width <= box.clientWidth + 1) continue;
    const label = wrap && document.getElementById(wrap.getAttribute("aria-labelledby") || "");
    if (!wrap || wrap.getAttribute("role") !== "region" || wrap.tabIndex !== 0 || !label || !label.textContent.trim())
      out.push(name(t) + " is wider than its box and not in a labelled, focusable scrolling region");
  }
  const ctx = document.createElement("canvas").getContext("2d");
  for (const f of document.querySelectorAll("main select, main input[placeholder]")) {
    if (!seen(f)) continue;
    const text = f.matches("select") ? (f.options[f.selectedIndex] || {}).text : (f.value ? "" : f.placeholder);
    if (!text || !text.trim()) continue;
    const cs = getComputedStyle(f);
    ctx.font = cs.fontWeight + " " + cs.fontSize + " " + cs.fontFamily;
    const room = f.clientWidth - px(cs, "paddingLeft") - px(cs, "paddingRight") - (f.matches("select") ? 16 : 0); // the arrow
    if (ctx.measureText(text.trim()).width > room + 1) out.push(name(f) + " cuts off 「" + text.trim().slice(0, 20) + "」 (" + room.toFixed(0) + " px for it)");
  }
  return out;
})()`

// Roomy checks that the current page reads on a narrow screen: nothing
// wider than the screen, no table squeezed to a few characters a line
// (a wide one scrolls in a region of its own), no field cutting off its
// own text.
func (s *Session) Roomy(what string) {
	s.T.Helper()
	s.Fits(what)
	squeezed, err := chromedp.Run(s.Ctx, chromedp.Evaluate[[]string](roomyScript))
	if err != nil {
		s.T.Errorf("%s: not measured: %v", what, err)
		return
	}
	if len(squeezed) > 0 {
		s.T.Errorf("%s is squeezed:\n  %s", what, strings.Join(squeezed, "\n  "))
	}
}
