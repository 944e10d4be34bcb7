// Module-resolution hooks for package-check's main-process load: the bare specifier `electron`
// resolves to a generated stand-in (see main-imports.mjs); everything else resolves as Node does.
let stubUrl;

export function initialize(data) {
  stubUrl = data.stubUrl;
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: stubUrl, shortCircuit: true };
  return nextResolve(specifier, context);
}
