/**
 * zod probes for eval with `new Function` the first time it parses; the CSP refuses eval and reports the
 * probe as a violation. jitless skips the probe (and the JIT, which the renderer's small schemas do not
 * need). Imported first by main.tsx, so it runs before any module that parses at load.
 */
import { z } from 'zod';

z.config({ jitless: true });
