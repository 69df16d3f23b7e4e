/**
 * WCAG 2.x contrast of the text in a running webview (used by themes.test.ts and
 * inspectorExplain.test.ts): every visible element with its own text (and every control) is
 * measured, the text colour composited (alpha, opacity) on the effective background (the
 * ancestors' backgrounds down to the first opaque one); ≥ 4.5:1, ≥ 3:1 for large text.
 */
import type { Frame } from 'playwright-core';

interface Sample { desc: string; text: string; fg: string; bg: string; ratio: number; min: number }
interface Measured { samples: Sample[]; covered: Record<string, number>; noBackground: string[] }

/**
 * Runs in a webview frame (a string, so no bundler helpers leak into it). Measures every visible
 * element with its own text (and every input/button/textarea), composites colours as the browser
 * paints them, and counts how many measured elements match each of `required`.
 */
const MEASURE = `(required) => {
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map((v) => v.endsWith('%') ? Number(v.slice(0, -1)) / 100 : Number(v));
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const hex = (c) => '#' + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  const desc = (e) => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
    + (e.parentElement ? ' < ' + e.parentElement.tagName.toLowerCase() + (typeof e.parentElement.className === 'string' && e.parentElement.className ? '.' + e.parentElement.className.trim().split(/\\s+/).join('.') : '') : '');
  const samples = [];
  const noBackground = [];
  const covered = Object.fromEntries(required.map((r) => [r, 0]));
  for (const e of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'CANVAS', 'svg'].includes(e.tagName)) continue;
    const ownText = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    const control = ['INPUT', 'BUTTON', 'TEXTAREA', 'SELECT'].includes(e.tagName) && e.type !== 'checkbox' && e.type !== 'radio';
    if (!ownText && !control) continue;
    const cs = getComputedStyle(e);
    if (cs.visibility !== 'visible' || e.getClientRects().length === 0) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    // Backgrounds from the element outwards, down to the first opaque one.
    const layers = [];
    for (let a = e; a; a = a.parentElement) {
      const c = parse(getComputedStyle(a).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    if (layers.length === 0 || layers[layers.length - 1][3] < 1) { noBackground.push(desc(e)); continue; }
    let bg = layers.pop();
    while (layers.length) bg = over(layers.pop(), bg);
    let opacity = 1;
    for (let a = e; a; a = a.parentElement) opacity *= Number(getComputedStyle(a).opacity);
    const fgRaw = parse(cs.color);
    const fg = over([fgRaw[0], fgRaw[1], fgRaw[2], fgRaw[3] * opacity], bg);
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(cs.fontSize);
    const bold = Number(cs.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const text = (control ? (e.value || e.textContent || e.placeholder || '') : [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('')).trim().slice(0, 40);
    samples.push({ desc: desc(e), text, fg: hex(fg), bg: hex(bg), ratio: Math.round(ratio * 100) / 100, min: large ? 3 : 4.5 });
    for (const sel of required) if (e.matches(sel)) covered[sel]++;
  }
  return { samples, covered, noBackground };
}`;

export async function measure(frame: Frame, required: readonly string[]): Promise<Measured> {
  return frame.evaluate(`(${MEASURE})(${JSON.stringify(required)})`) as Promise<Measured>;
}

export function checkContrast(theme: string, where: string, m: Measured, required: readonly string[]): string[] {
  const failures: string[] = [];
  for (const sel of required) if ((m.covered[sel] ?? 0) === 0) failures.push(`${theme} ${where}: nothing measured for ${sel}`);
  for (const d of m.noBackground) failures.push(`${theme} ${where}: no opaque background behind ${d}`);
  for (const s of m.samples) {
    if (s.ratio < s.min) failures.push(`${theme} ${where}: ${s.desc} "${s.text}" ${s.fg} on ${s.bg} = ${s.ratio}:1 < ${s.min}:1`);
  }
  return failures;
}
