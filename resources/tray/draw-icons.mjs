// Draws the tray icons: `node resources/tray/draw-icons.mjs` rewrites the PNGs beside it.
// One disc per health colour, each with a shape of its own so the state reads without colour too
// (green: plain, amber: "!", red: "×", grey: a ring), and a rim that stands out from the panel:
// dark for light panels (`-light`), light for dark panels (`-dark`). Sizes 16 and 32 px, each with
// an @2x file for high-density screens, which Electron picks by itself.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { png } from '../icons/image-files.mjs';

/** @type {Record<'green' | 'amber' | 'red' | 'grey', [number, number, number]>} */
const FILL = {
  green: [0x2e, 0xa0, 0x43],
  amber: [0xd2, 0x99, 0x22],
  red: [0xda, 0x36, 0x33],
  grey: [0x8b, 0x94, 0x9e],
};
/** Rim colour and opacity per panel the icon sits on. */
const RIM = {
  light: { rgb: [0x1f, 0x23, 0x28], alpha: 0.6 },
  dark: { rgb: [0xff, 0xff, 0xff], alpha: 0.75 },
};
const GLYPH = [0xff, 0xff, 0xff];
const SUPERSAMPLE = 6;

/** Distance from p to the segment a–b. */
function segment(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Which layer covers a point in unit coordinates (0..1 across the icon). */
function layerAt(colour, x, y) {
  const r = Math.hypot(x - 0.5, y - 0.5);
  const outer = 0.46;
  const rim = 0.075;
  if (r > outer) return null;
  if (r > outer - rim) return 'rim';
  switch (colour) {
    case 'green':
      return 'fill';
    case 'amber': {
      const bar = segment(x, y, 0.5, 0.27, 0.5, 0.56) < 0.065;
      const dot = Math.hypot(x - 0.5, y - 0.72) < 0.07;
      return bar || dot ? 'glyph' : 'fill';
    }
    case 'red': {
      const k = 0.19;
      const cross =
        segment(x, y, 0.5 - k, 0.5 - k, 0.5 + k, 0.5 + k) < 0.065 ||
        segment(x, y, 0.5 - k, 0.5 + k, 0.5 + k, 0.5 - k) < 0.065;
      return cross ? 'glyph' : 'fill';
    }
    case 'grey':
      // A ring: the middle is left empty, so "nothing known" reads as hollow.
      if (r < 0.2) return null;
      if (r < 0.2 + rim) return 'rim';
      return 'fill';
  }
}

function draw(colour, panel, size) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const layer = layerAt(
            colour,
            (px + (sx + 0.5) / SUPERSAMPLE) / size,
            (py + (sy + 0.5) / SUPERSAMPLE) / size,
          );
          if (layer === null) continue;
          const [rgb, alpha] =
            layer === 'rim'
              ? [RIM[panel].rgb, RIM[panel].alpha]
              : layer === 'glyph'
                ? [GLYPH, 1]
                : [FILL[colour], 1];
          r += rgb[0] * alpha;
          g += rgb[1] * alpha;
          b += rgb[2] * alpha;
          a += alpha;
        }
      }
      const n = SUPERSAMPLE * SUPERSAMPLE;
      const at = (py * size + px) * 4;
      // Colour is averaged over covered samples (premultiplied, then divided), alpha over all.
      rgba[at] = a > 0 ? Math.round(r / a) : 0;
      rgba[at + 1] = a > 0 ? Math.round(g / a) : 0;
      rgba[at + 2] = a > 0 ? Math.round(b / a) : 0;
      rgba[at + 3] = Math.round((a / n) * 255);
    }
  }
  return png(size, rgba);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const written = [];
for (const colour of Object.keys(FILL)) {
  for (const panel of Object.keys(RIM)) {
    for (const base of [16, 32]) {
      const stem = `tray-${colour}-${panel}${base === 16 ? '' : `-${base}`}`;
      for (const [suffix, size] of [
        ['', base],
        ['@2x', base * 2],
      ]) {
        const file = path.join(here, `${stem}${suffix}.png`);
        writeFileSync(file, draw(colour, panel, size));
        written.push(path.basename(file));
      }
    }
  }
}
console.log(`wrote ${written.length} icons to ${here}`);
