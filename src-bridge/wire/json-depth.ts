/**
 * True when `value` nests objects and arrays deeper than `max` levels (the message itself is level 1).
 * V8 parses any depth, but JSON.stringify recurses and throws a few thousand levels down; a message
 * the bridge cannot serialise again must be refused before any state is registered for it. The walk
 * is iterative, so a hostile depth cannot overflow the stack here either.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const current = values.pop();
    const depth = depths.pop() ?? 1;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child !== 'object' || child === null) continue;
      values.push(child);
      depths.push(depth + 1);
    }
  }
  return false;
}
