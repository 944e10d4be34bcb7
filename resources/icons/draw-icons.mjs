// Draws the app icon: `node resources/icons/draw-icons.mjs` rewrites icon.icns (macOS), icon.ico
// (Windows) and png/<N>x<N>.png (Linux, and the window icon) beside it.
// Drawn the way resources/tray/draw-icons.mjs draws the tray icons: the same green disc with a light
// rim, supersampled. Three of them on a dark tile, linked, read as a fleet of healthy servers; the
// tile leaves the margin of Apple's icon grid so the icon sits level with others in the Dock.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ico, icns, png } from './image-files.mjs';

const TILE = [0x1f, 0x23, 0x28];
const LINK = [0x8b, 0x94, 0x9e];
const FILL = [0x2e, 0xa0, 0x43];
const RIM = { rgb: [0xff, 0xff, 0xff], alpha: 0.75 };
const SUPERSAMPLE = 4;

/** Tile bounds and corner radius in unit coordinates (0..1 across the icon). */
const TILE_MIN = 0.1;
const TILE_MAX = 0.9;
const TILE_RADIUS = 0.18;
const DISCS = [
  [0.5, 0.34],
  [0.31, 0.65],
  [0.69, 0.65],
];
const DISC_RADIUS = 0.135;
const RIM_WIDTH = 0.03;
const LINK_HALF_WIDTH = 0.022;

/** Distance from p to the segment a–b. */
function segment(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function insideTile(x, y) {
  const cx = Math.min(Math.max(x, TILE_MIN + TILE_RADIUS), TILE_MAX - TILE_RADIUS);
  const cy = Math.min(Math.max(y, TILE_MIN + TILE_RADIUS), TILE_MAX - TILE_RADIUS);
  return Math.hypot(x - cx, y - cy) <= TILE_RADIUS;
}

/** Which layer covers a point: null (transparent), 'tile', 'link', 'rim' or 'fill'. */
function layerAt(x, y) {
  if (!insideTile(x, y)) return null;
  for (const [cx, cy] of DISCS) {
    const r = Math.hypot(x - cx, y - cy);
    if (r <= DISC_RADIUS - RIM_WIDTH) return 'fill';
    if (r <= DISC_RADIUS) return 'rim';
  }
  for (let i = 0; i < DISCS.length; i++) {
    const [ax, ay] = DISCS[i];
    const [bx, by] = DISCS[(i + 1) % DISCS.length];
    if (segment(x, y, ax, ay, bx, by) < LINK_HALF_WIDTH) return 'link';
  }
  return 'tile';
}

/** The colour a layer paints, over the tile (the rim is translucent white). */
function paint(layer) {
  switch (layer) {
    case 'tile':
      return TILE;
    case 'link':
      return LINK;
    case 'fill':
      return FILL;
    case 'rim':
      return TILE.map((c, i) => c + (RIM.rgb[i] - c) * RIM.alpha);
  }
  throw new Error(`draw-icons: unknown layer ${layer}`);
}

/** RGBA pixels of the icon at `size` px. */
function draw(size) {
  const rgba = Buffer.alloc(size * size * 4);
  const n = SUPERSAMPLE * SUPERSAMPLE;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let covered = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const layer = layerAt(
            (px + (sx + 0.5) / SUPERSAMPLE) / size,
            (py + (sy + 0.5) / SUPERSAMPLE) / size,
          );
          if (layer === null) continue;
          const [lr, lg, lb] = paint(layer);
          r += lr;
          g += lg;
          b += lb;
          covered += 1;
        }
      }
      const at = (py * size + px) * 4;
      // Colour is averaged over covered samples, alpha over all, as the tray icons do.
      rgba[at] = covered > 0 ? Math.round(r / covered) : 0;
      rgba[at + 1] = covered > 0 ? Math.round(g / covered) : 0;
      rgba[at + 2] = covered > 0 ? Math.round(b / covered) : 0;
      rgba[at + 3] = Math.round((covered / n) * 255);
    }
  }
  return rgba;
}

/** Sizes each platform asks for: Linux's hicolor theme, Windows' shell views, macOS's ICNS slots. */
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
export const WINDOWS_SIZES = [16, 24, 32, 48, 64, 128, 256];
export const MAC_SIZES = [16, 32, 64, 128, 256, 512, 1024];

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const images = new Map();
  for (const size of new Set([...LINUX_SIZES, ...WINDOWS_SIZES, ...MAC_SIZES])) {
    images.set(size, draw(size));
  }
  const pick = (sizes) => new Map(sizes.map((s) => [s, images.get(s)]));
  mkdirSync(path.join(here, 'png'), { recursive: true });
  for (const size of LINUX_SIZES) {
    writeFileSync(path.join(here, 'png', `${size}x${size}.png`), png(size, images.get(size)));
  }
  writeFileSync(path.join(here, 'icon.ico'), ico(pick(WINDOWS_SIZES)));
  writeFileSync(path.join(here, 'icon.icns'), icns(pick(MAC_SIZES)));
  console.log(`wrote ${LINUX_SIZES.length} PNGs, icon.ico and icon.icns to ${here}`);
}
