"The site's own checks catch what they promise to: dangling links and anchors, missing images, network loads, JS errors"
import importlib.util, shutil, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

def _load(name):
    if name == 'make_docs':       # the site builder's own dependencies come with the dev extra (nbdev, nbconvert)
        for m in ('mistune', 'yaml', 'pygments'): pytest.importorskip(m)
    spec = importlib.util.spec_from_file_location(name, ROOT/'tools'/f'{name}.py')
    mod = importlib.util.module_from_spec(spec); sys.modules[name] = mod; spec.loader.exec_module(mod)
    return mod

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{t}</title>
<link rel="stylesheet" href="site.css"><link rel="stylesheet" href="pygments.css"></head>
<body><h1 id="top">{t}</h1>{body}</body></html>"""

def small_site(d:Path, bad:bool)->Path:
    (d/'images').mkdir(parents=True)
    (d/'site.css').write_text('body{margin:0}'); (d/'pygments.css').write_text('')
    (d/'images'/'ok.png').write_bytes(_png())
    good = '<a href="b.html#sec">b</a> <img src="images/ok.png"> <a href="https://example.org">out</a>'
    broken = ('<a href="b.html#nope">dangling anchor</a> <a href="c.html">missing page</a> <img src="images/gone.png">'
              '<script src="https://cdn.example.org/x.js"></script><script>undefined_function();</script>')
    (d/'a.html').write_text(PAGE.format(t='a', body=good + (broken if bad else '')))
    (d/'b.html').write_text(PAGE.format(t='b', body='<h2 id="sec">s</h2><a href="a.html#top">a</a>'))
    return d

def _png()->bytes:
    import base64   # a 1x1 PNG
    return base64.b64decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==')

def test_link_check(tmp_path):
    md = _load('make_docs')
    assert md.check_site(small_site(tmp_path/'good', bad=False)) == []
    probs = '\n'.join(md.check_site(small_site(tmp_path/'bad', bad=True)))
    for s in ('b.html#nope" points to a missing anchor', 'c.html" points to a missing file', 'images/gone.png" points to a missing file',
              'loads https://cdn.example.org/x.js from the network'):
        assert s in probs, (s, probs)
    assert 'example.org">out' not in probs           # an ordinary outward link is fine

def test_names_and_anchors():
    md = _load('make_docs')
    assert md.page_name(Path('04_cutmix.ipynb')) == 'cutmix.html' and md.page_name(Path('index.ipynb')) == 'index.html'
    assert md.slug('MixHandler.before_batch') == 'mixhandler.before_batch' and md.slug('The `lam` rules') == 'the-lam-rules'
    ln = md.Linker({'handler.html': {'mixhandler'}, 'core.html': {'lerp_rows'}})
    out = ln('See `MixHandler`, `nothing_here` and [the core](00_core.ipynb#lerp_rows).\n```\n`MixHandler`\n```', 'mixup.html')
    assert '[`MixHandler`](handler.html#mixhandler)' in out and '`nothing_here`' in out and '](core.html#lerp_rows)' in out
    assert out.endswith('```\n`MixHandler`\n```')   # code blocks are left alone

def test_docments_table():
    md = _load('make_docs')
    def f(a:int|None=None, # The first, with a | pipe
          b='x', # The second
         )->int: # The result
        "Doc"
    t = md.docments_table(f)
    assert '| a | int \\| None | None | The first, with a \\| pipe |' in t and '| **Returns** | int |  | The result |' in t

@pytest.mark.skipif(not any(shutil.which(n) for n in ('chromium', 'chromium-browser', 'google-chrome')), reason='no Chromium')
def test_browser_check(tmp_path):
    pytest.importorskip('websockets')
    cb = _load('check_docs_browser')
    assert cb.main(['--site', str(small_site(tmp_path/'good', bad=False)), '--shots', str(tmp_path/'s1')]) == 0
    assert (tmp_path/'s1'/'a_phone.png').exists() and (tmp_path/'s1'/'b_desktop.png').exists()
    site = small_site(tmp_path/'bad', bad=True)
    problems, _ = __import__('asyncio').run(cb.check(site, tmp_path/'s2', cb.find_chromium()))
    text = '\n'.join(problems)
    assert 'images that did not load' in text and 'JavaScript error' in text, text
