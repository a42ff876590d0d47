"""Open every page of the built site (`_docs/`) in headless Chromium and fail on what a reader would hit.

    python tools/make_docs.py && python tools/check_docs_browser.py [--site _docs] [--shots _docs_shots]

For each page, at desktop width (1280 px) and phone width (390 px): no JavaScript error or console error, no request
that fails (a missing stylesheet or image), every image loaded with a size, nothing fetched from the network, and at
phone width no page wider than the screen (wide tables and code scroll inside their own box). The pages are those
`pages.json` lists (the notebooks' pages, then the library's source pages `source/*.py.html`). A screenshot of each
page at each width goes to `--shots` (`source/core.py.html` as `source_core.py_desktop.png`); a source page is also
shown scrolled to a line (`#L<n>`, highlighted), an API page at its first entry with its table. Chromium is driven over the DevTools protocol (the `websockets` package); it is
Debian's `chromium` (`apt-get install chromium`). Exit status 0: all pages clean; 1: problems (listed); 2: no Chromium.
"""
import argparse, asyncio, base64, json, os, re, shutil, signal, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--disable-extensions', '--hide-scrollbars', '--mute-audio',
         '--allow-file-access-from-files', '--remote-debugging-port=0']
WIDTHS = {'desktop': (1280, 900, False), 'phone': (390, 844, True)}

CHECK_JS = """(() => {
  const bad = Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
  const css = Array.from(document.styleSheets).length;
  return JSON.stringify({bad_images: bad, n_images: document.images.length, stylesheets: css,
                         scroll_width: document.documentElement.scrollWidth, width: window.innerWidth,
                         title: document.title, h1: (document.querySelector('h1') || {}).textContent || ''});
})()"""

# an API page: its first entry (with its table); a source page: the line of its first documented definition, as a
# `#L<n>` link shows it (the browser's own :target, set through the location)
SHOW_ENTRY_JS = """(() => {
  const t = document.querySelector('.md-out table');
  if (t) { t.closest('.md-out').scrollIntoView(); return true; }
  const d = document.querySelector('.src a.def');
  if (d) { location.hash = d.closest('.line').id; return true; }
  return false; })()"""

def shot_name(page:str)->str:
    "The screenshot's name for a page: `core.html` -> `core`, `source/core.py.html` -> `source_core.py`"
    return page.removesuffix('.html').replace('/', '_')

def find_chromium():
    for n in ('chromium', 'chromium-browser', 'google-chrome', 'chrome'):
        p = shutil.which(n)
        if p: return p

class CDP:
    "A minimal Chrome DevTools Protocol client: one browser, one page session"
    def __init__(self, ws): self.ws, self.n, self.pending, self.events = ws, 0, {}, []

    async def reader(self):
        async for raw in self.ws:
            m = json.loads(raw)
            if 'id' in m and m['id'] in self.pending: self.pending.pop(m['id']).set_result(m)
            elif 'method' in m: self.events.append(m)

    async def send(self, method, params=None, session=None, timeout=30):
        self.n += 1
        msg = {'id': self.n, 'method': method, 'params': params or {}}
        if session: msg['sessionId'] = session
        fut = asyncio.get_running_loop().create_future(); self.pending[self.n] = fut
        await self.ws.send(json.dumps(msg))
        res = await asyncio.wait_for(fut, timeout)
        if 'error' in res: raise RuntimeError(f"{method}: {res['error']}")
        return res.get('result', {})

async def wait_event(cdp, method, session, start, timeout=30):
    for _ in range(int(timeout / 0.05)):
        for e in cdp.events[start:]:
            if e.get('method') == method and e.get('sessionId') == session: return e
        await asyncio.sleep(0.05)
    raise TimeoutError(method)

def problems_in(events, session, page)->list:
    out = []
    for e in events:
        if e.get('sessionId') != session: continue
        m, p = e['method'], e.get('params', {})
        if m == 'Runtime.exceptionThrown':
            out.append(f"{page}: JavaScript error: {p['exceptionDetails'].get('text')} {p['exceptionDetails'].get('exception', {}).get('description', '')}")
        elif m == 'Runtime.consoleAPICalled' and p.get('type') in ('error', 'assert'):
            out.append(f"{page}: console {p['type']}: {' '.join(str(a.get('value', a.get('description', ''))) for a in p.get('args', []))}")
        elif m == 'Log.entryAdded' and p['entry'].get('level') == 'error':
            out.append(f"{page}: console error: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        elif m == 'Network.loadingFailed' and not p.get('canceled'):
            out.append(f"{page}: a request failed: {p.get('errorText')} ({p.get('type')})")
        elif m == 'Network.requestWillBeSent':
            url = p['request']['url']
            if not url.startswith(('file:', 'data:', 'about:')): out.append(f'{page}: fetches {url} from the network')
    return out

def stop_group(proc):
    "Stop a process started with `start_new_session=True` and every process it started, and wait for it"
    try: os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError: return
    try: proc.wait(10)
    except subprocess.TimeoutExpired: pass
    try: os.killpg(proc.pid, signal.SIGKILL)   # whatever of the group is left (helpers outlive the browser for a moment)
    except ProcessLookupError: pass
    proc.wait(5)

async def check(site:Path, shots:Path, chromium:str)->tuple:
    import websockets
    pages = json.loads((site/'pages.json').read_text()) if (site/'pages.json').exists() else sorted(p.name for p in site.glob('*.html'))
    shots.mkdir(parents=True, exist_ok=True)
    # Chromium's helper processes may still write to the profile while the browser exits: the whole process group is
    # stopped before the profile is removed, and a file written after that doesn't fail the check
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as prof:
        proc = subprocess.Popen([chromium, *FLAGS, f'--user-data-dir={prof}', 'about:blank'], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                text=True, start_new_session=True)
        try:
            url = None
            for line in proc.stderr:
                m = re.search(r'DevTools listening on (ws://\S+)', line)
                if m: url = m.group(1); break
            if not url: raise RuntimeError('Chromium did not start its DevTools server')
            async with websockets.connect(url, max_size=2**28) as ws:
                cdp = CDP(ws); rd = asyncio.create_task(cdp.reader())
                tid = (await cdp.send('Target.createTarget', {'url': 'about:blank'}))['targetId']
                sid = (await cdp.send('Target.attachToTarget', {'targetId': tid, 'flatten': True}))['sessionId']
                for dom in ('Page', 'Runtime', 'Log', 'Network'): await cdp.send(f'{dom}.enable', session=sid)
                problems, report = [], []
                for name in pages:
                    stem = shot_name(name)
                    for wname, (w, h, mobile) in WIDTHS.items():
                        await cdp.send('Emulation.setDeviceMetricsOverride', {'width': w, 'height': h, 'deviceScaleFactor': 1, 'mobile': mobile}, session=sid)
                        start = len(cdp.events)
                        await cdp.send('Page.navigate', {'url': (site/name).resolve().as_uri()}, session=sid)
                        await wait_event(cdp, 'Page.loadEventFired', sid, start)
                        await asyncio.sleep(0.2)
                        info = json.loads((await cdp.send('Runtime.evaluate', {'expression': CHECK_JS, 'returnByValue': True}, session=sid))['result']['value'])
                        shot = await cdp.send('Page.captureScreenshot', {'format': 'png'}, session=sid)
                        (shots/f"{stem}_{wname}.png").write_bytes(base64.b64decode(shot['data']))
                        if not mobile:   # where the page has API entries, a second picture: the first one with its table
                            r = await cdp.send('Runtime.evaluate', {'expression': SHOW_ENTRY_JS, 'returnByValue': True}, session=sid)
                            if r['result'].get('value'):
                                await asyncio.sleep(0.1)
                                shot = await cdp.send('Page.captureScreenshot', {'format': 'png'}, session=sid)
                                (shots/f"{stem}_{wname}_api.png").write_bytes(base64.b64decode(shot['data']))
                        found = problems_in(cdp.events[start:], sid, f'{name} ({wname})')
                        if info['bad_images']: found.append(f"{name} ({wname}): images that did not load: {info['bad_images']}")
                        if info['stylesheets'] < 2: found.append(f'{name} ({wname}): stylesheets missing')
                        if mobile and info['scroll_width'] > info['width'] + 1:
                            found.append(f"{name} ({wname}): the page is {info['scroll_width']} px wide on a {info['width']} px screen")
                        problems += found
                        report.append(f"{name:<28}{wname:<9}{info['n_images']:>4} images  {'ok' if not found else 'PROBLEMS'}")
                rd.cancel()
                return problems, report
        finally:
            stop_group(proc)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--site', default=str(ROOT/'_docs'))
    ap.add_argument('--shots', default=str(ROOT/'_docs_shots'))
    a = ap.parse_args(argv)
    chromium = find_chromium()
    if not chromium: print('no Chromium found (apt-get install chromium)'); return 2
    problems, report = asyncio.run(check(Path(a.site), Path(a.shots), chromium))
    print('\n'.join(report))
    if problems: print('\n'.join(problems)); return 1
    print(f'{len(report)} page views, no problems; screenshots in {a.shots}')
    return 0

if __name__ == '__main__': sys.exit(main())
