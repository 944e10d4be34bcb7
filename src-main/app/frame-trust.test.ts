import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isAppDocumentUrl, isPermissionGranted, isTrustedFrame } from './frame-trust';

/** How Chromium writes the same file URL: `[` and `]` stay as they are, where Node writes %5B and %5D. */
const chromiumStyle = (href: string): string => href.replaceAll('%5B', '[').replaceAll('%5D', ']');

const posixInstalls = [
  '/opt/MCP Fleet/resources/app/out/renderer/index.html',
  '/home/ops/apps/fleet [beta]/out/renderer/index.html',
  '/home/ops/100% ready/out/renderer/index.html',
  '/home/ops/a%20b/out/renderer/index.html',
  '/home/ops/a%41b/out/renderer/index.html',
  '/home/josé/Téléchargements/out/renderer/index.html',
  '/home/ops/日本/MCP Fleet [1] 100% a%20b é/out/renderer/index.html',
];

describe('a build on Linux', () => {
  for (const indexFile of posixInstalls) {
    test(`trusts its index.html under ${JSON.stringify(path.dirname(indexFile))}`, () => {
      const app = { indexFile };
      const href = pathToFileURL(indexFile).href;
      for (const url of [href, chromiumStyle(href), `${href}#/instances/x%20y`, `${href}?a=1#/hosts`]) {
        assert.equal(isAppDocumentUrl(url, app, 'linux'), true, url);
      }
    });

    test(`refuses the neighbours of ${JSON.stringify(indexFile)}`, () => {
      const app = { indexFile };
      const dir = pathToFileURL(path.posix.dirname(indexFile)).href;
      const refused = [
        `${dir}/evil.html`,
        `${dir}/index.html.evil.html`,
        `${dir}/index.htmlx`,
        `${dir}/index.html/`,
        `${dir}/../renderer-evil/index.html`,
        `${dir}/index.html/../../evil/index.html`,
        `${dir}%2Findex.html`,
        `${dir}/index.html`.replace('file:///', 'file://evil.example/'),
        `http://localhost:5173/`,
        'not a url',
        '',
      ];
      for (const url of refused) assert.equal(isAppDocumentUrl(url, app, 'linux'), false, url);
    });
  }

  test('".." that leads back to index.html is the same file', () => {
    const indexFile = '/opt/fleet [x]/out/renderer/index.html';
    const href = `${pathToFileURL('/opt/fleet [x]/out/renderer').href}/../renderer/./index.html`;
    assert.equal(isAppDocumentUrl(href, { indexFile }, 'linux'), true);
  });

  test('a literal "%41" in the folder is not the "A" that the unescaped URL names', () => {
    // What WebContents.loadFile would produce (url.format leaves "%41" alone): Chromium reads /opt/aAb.
    const indexFile = '/opt/a%41b/index.html';
    assert.equal(isAppDocumentUrl('file:///opt/a%41b/index.html', { indexFile }, 'linux'), false);
    assert.equal(isAppDocumentUrl(pathToFileURL(indexFile).href, { indexFile }, 'linux'), true);
  });

  test('a lone "%" that is not an escape is refused rather than guessed at', () => {
    const indexFile = '/opt/100%/index.html';
    assert.equal(isAppDocumentUrl('file:///opt/100%/index.html', { indexFile }, 'linux'), false);
  });

  test('compares bytes: another case or another Unicode spelling is another file', () => {
    const indexFile = '/opt/José/index.html'.normalize('NFC');
    assert.equal(isAppDocumentUrl('file:///opt/jos%C3%A9/index.html', { indexFile }, 'linux'), false);
    const nfd = pathToFileURL(indexFile.normalize('NFD')).href;
    assert.equal(isAppDocumentUrl(nfd, { indexFile }, 'linux'), false);
  });
});

describe('a build on macOS', () => {
  const indexFile = '/Applications/MCP Fleet [beta].app/Contents/Resources/app.asar/out/renderer/index.html';

  test('trusts its index.html, with the folder name in either Unicode spelling', () => {
    const composed = '/Users/josé/日本/MCP Fleet.app/out/renderer/index.html'.normalize('NFC');
    const decomposed = pathToFileURL(composed.normalize('NFD')).href;
    assert.notEqual(decomposed, pathToFileURL(composed).href);
    assert.equal(isAppDocumentUrl(decomposed, { indexFile: composed }, 'darwin'), true);
    assert.equal(
      isAppDocumentUrl(chromiumStyle(pathToFileURL(indexFile).href), { indexFile }, 'darwin'),
      true,
    );
  });

  test('keeps the case: on a case-sensitive volume another case is another file', () => {
    const href = pathToFileURL(indexFile.replace('index.html', 'INDEX.html')).href;
    assert.equal(isAppDocumentUrl(href, { indexFile }, 'darwin'), false);
  });
});

describe('a build on Windows', () => {
  const indexFile =
    'C:\\Program Files\\MCP Fleet [beta]\\100% a%20b\\é 日本\\resources\\app.asar\\out\\renderer\\index.html';
  const href = pathToFileURL(indexFile, { windows: true }).href;

  test('trusts its index.html however the URL spells the path', () => {
    assert.match(href, /^file:\/\/\/C:\/Program%20Files\//);
    const spellings = [
      href,
      chromiumStyle(href),
      href.replace('file:///C:/', 'file:///c:/'),
      href.replace('Program%20Files', 'PROGRAM%20FILES'),
      `${href}#/servers`,
    ];
    for (const url of spellings) assert.equal(isAppDocumentUrl(url, { indexFile }, 'win32'), true, url);
  });

  test('refuses another file, another folder and another machine', () => {
    const refused = [
      href.replace('index.html', 'evil.html'),
      href.replace('index.html', 'index.html.evil.html'),
      href.replace('/renderer/', '/renderer/../evil/'),
      href.replace('file:///C:/', 'file:///D:/'),
      href.replace('file:///C:/', 'file://fileserver/share/'),
      href.replace('/out/', '%5Cout%5C..%5C..%5C'),
    ];
    for (const url of refused) assert.equal(isAppDocumentUrl(url, { indexFile }, 'win32'), false, url);
  });
});

describe('the development server', () => {
  const app = { devUrl: 'http://localhost:5173', indexFile: '/repo/out/renderer/index.html' };

  test('trusts pages of its exact origin', () => {
    for (const url of [
      'http://localhost:5173/',
      'http://localhost:5173/#/hosts',
      'http://localhost:5173/index.html',
    ]) {
      assert.equal(isAppDocumentUrl(url, app, 'linux'), true, url);
    }
  });

  test('refuses look-alike origins and the build', () => {
    const refused = [
      'http://localhost:5173.evil.com/',
      'http://localhost:51730/',
      'http://localhost:5174/',
      'https://localhost:5173/',
      'http://127.0.0.1:5173/',
      'http://evil.com/?http://localhost:5173/',
      'http://localhost:5173@evil.com/',
      pathToFileURL(app.indexFile).href,
    ];
    for (const url of refused) assert.equal(isAppDocumentUrl(url, app, 'linux'), false, url);
  });

  test('a dev URL that is not http(s) trusts nothing', () => {
    const odd = {
      devUrl: 'file:///repo/out/renderer/index.html',
      indexFile: '/repo/out/renderer/index.html',
    };
    assert.equal(isAppDocumentUrl('file:///other.html', odd, 'linux'), false);
    assert.equal(isAppDocumentUrl('http://localhost:5173/', { ...odd, devUrl: 'nonsense' }, 'linux'), false);
  });
});

describe('frames and permissions', () => {
  const indexFile = '/opt/fleet [1]/out/renderer/index.html';
  const app = { indexFile };
  const url = chromiumStyle(pathToFileURL(indexFile).href);

  test('only the top frame of our own window is trusted', () => {
    assert.equal(isTrustedFrame({ url, isTopFrame: true, inOwnWindow: true }, app, 'linux'), true);
    assert.equal(isTrustedFrame({ url, isTopFrame: false, inOwnWindow: true }, app, 'linux'), false);
    assert.equal(isTrustedFrame({ url, isTopFrame: true, inOwnWindow: false }, app, 'linux'), false);
    const other = url.replace('index.html', 'evil.html');
    assert.equal(isTrustedFrame({ url: other, isTopFrame: true, inOwnWindow: true }, app, 'linux'), false);
  });

  test('clipboard writes are granted to our page only, and nothing else is', () => {
    const ask = { requestingUrl: `${url}#/members`, isMainFrame: true };
    assert.equal(isPermissionGranted('clipboard-sanitized-write', ask, app, 'linux'), true);
    assert.equal(
      isPermissionGranted('clipboard-sanitized-write', { ...ask, isMainFrame: false }, app, 'linux'),
      false,
    );
    assert.equal(
      isPermissionGranted('clipboard-sanitized-write', { isMainFrame: true }, app, 'linux'),
      false,
    );
    assert.equal(
      isPermissionGranted(
        'clipboard-sanitized-write',
        { requestingUrl: 'https://evil.example/', isMainFrame: true },
        app,
        'linux',
      ),
      false,
    );
    for (const permission of ['clipboard-read', 'media', 'notifications', 'openExternal', 'unknown']) {
      assert.equal(isPermissionGranted(permission, ask, app, 'linux'), false, permission);
    }
  });
});
