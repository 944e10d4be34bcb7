// The parts of the electron stand-in that main-imports.mjs does not generate. Main is loaded, never
// run: every export is inert (any property, call or `new` gives another inert value, and nothing is
// a thenable), the single-instance lock is granted, and app.whenReady() never settles, so start()
// and everything that needs a real Electron stays unreached.
export const inert = () =>
  new Proxy(function () {}, {
    get: (_target, key) => {
      if (key === 'then') return undefined;
      if (key === Symbol.toPrimitive) return () => '';
      return inert();
    },
    apply: () => inert(),
    construct: () => inert(),
  });

const appBase = {
  isPackaged: true,
  requestSingleInstanceLock: () => true,
  whenReady: () => new Promise(() => {}),
};

export const app = new Proxy(appBase, { get: (target, key) => (key in target ? target[key] : inert()) });
