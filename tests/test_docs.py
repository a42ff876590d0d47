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

def _page(d:Path, name:str, body:str):
    (d/name).write_text(PAGE.format(t=name.removesuffix('.html'), body=body))

def test_literal_markdown_and_headless_tables(tmp_path):
    "Markdown left as text (a link, backticks, `**`) fails the site check; the same inside code, or rendered, passes"
    md = _load('make_docs')
    clean = ('<p>See <a href="b.html#sec"><code>MixUp</code></a>, <strong>bold</strong> and <em>x</em>.</p>'
             '<pre>[source](https://x.org) `code` a**2</pre><p><code>`</code> <code>**kwargs</code> a*b 2 * 3</p>'
             '<table><thead><tr><th>Parameter</th><th>Type</th></tr></thead><tbody><tr><td>a</td><td>int</td></tr></tbody></table>'
             # pandas, with a named index: the names are in a second header row
             '<table class="dataframe"><thead><tr><th></th><th>acc</th></tr><tr><th>seed</th><th></th></tr></thead>'
             '<tbody><tr><th>0</th><td>0.9</td></tr></tbody></table>'
             '<table><tr><th>k</th><th>v</th></tr><tr><td>1</td><td>2</td></tr></table>')
    good = small_site(tmp_path/'good', bad=False); _page(good, 'c.html', clean)
    assert md.check_site(good) == []
    defects = {'[source](https://github.com/fastmix/fastmix/blob/main/fastmix/core.py#L37)': "'[source](https://github.com",
               'the one `lam` for each': "the one `lam` for each", 'a **memory floor**': 'a **memory floor**'}
    for i, (text, shown) in enumerate(defects.items()):
        bad = small_site(tmp_path/f'bad{i}', bad=False); _page(bad, 'c.html', clean + f'<div class="md-out"><hr>\n{text}\n</div>')
        probs = md.check_site(bad)
        assert len(probs) == 1 and 'c.html: literal markdown in the text' in probs[0] and shown in probs[0], probs
    for i, tbl in enumerate(('<table><thead><tr><th></th><th>accuracy</th></tr></thead><tbody><tr><th>0</th><td>1</td></tr></tbody></table>',
                             '<table><thead><tr><th>a</th><th> </th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>',
                             '<table><tbody><tr><td>1</td><td>2</td></tr></tbody></table>')):
        bad = small_site(tmp_path/f'tbl{i}', bad=False); _page(bad, 'c.html', tbl)
        probs = md.check_site(bad)
        assert len(probs) == 1 and 'has no header for column(s)' in probs[0], probs
    assert '[1]' in md.check_site(tmp_path/'tbl0')[0] and '[2]' in md.check_site(tmp_path/'tbl1')[0]

def _show_doc_md(url:str, name:str='mix')->str:   # what nbdev's show_doc gives the docs processors
    return (f'---\n\n[source]({url}){{target="_blank" style="float:right; font-size:smaller"}}\n\n### {name}\n\n'
            f'```python\ndef {name}(a): # An argument\n```\n\n*Mix `a`*\n\n| Parameter | Type | Default | Details |\n'
            '|---|---|---|---|\n| a |  |  | An argument |\n')

def test_source_pages_and_links(tmp_path):
    "show_doc's source link goes to the definition's line in the site's copy of the module, and the result passes the check"
    md = _load('make_docs')
    lib = tmp_path/'repo'/'mylib'; lib.mkdir(parents=True)
    (lib/'__init__.py').write_text('')
    (lib/'mod.py').write_text('"Doc"\n\nimport math\n\ndef mix(a): # An argument\n    "Mix `a`"\n    return a\n\nclass K:\n    def go(self): pass\n')
    src = md.Sources(tmp_path/'repo', 'mylib', 'https://github.com/me/mylib', 'main')
    assert md.definitions((lib/'mod.py').read_text()) == {5: ['mix'], 9: ['K'], 10: ['K.go']}
    url = 'https://github.com/me/mylib/blob/main/mylib/mod.py#L5'
    assert src.local(url, 'mix', 'mod.html') == 'source/mod.py.html#L5' and src.problems == []
    assert src.local('https://github.com/other/lib/blob/main/x.py#L1') is None          # not this library: left as it is
    src.local('https://github.com/me/mylib/blob/main/mylib/mod.py#L3', 'mix', 'mod.html')  # a stale line number
    assert len(src.problems) == 1 and 'points to line 3 of mylib/mod.py, which does not define it' in src.problems[0]
    pg = md.Page.__new__(md.Page); pg.name, pg.ids = 'mod.html', set()      # the markdown side of a page, without a notebook
    link = md.Linker({})
    h = pg.md(_show_doc_md(url), link, src)
    assert '<a class="src-link" href="source/mod.py.html#L5"' in h and '[source]' not in h and '<h3 id="mix">' in h, h
    assert pg.md(_show_doc_md('https://github.com/other/lib/blob/main/x.py#L1'), link, src).count('<a href="https://github.com/other') == 1
    site = tmp_path/'site'; (site/'source').mkdir(parents=True)
    (site/'site.css').write_text(''); (site/'pygments.css').write_text('')
    _page(site, 'index.html', '')
    (site/'mod.html').write_text(md.layout('The `mod` module', md.md_inline('What `mix` does, **briefly**'), f'<div class="md-out">{h}</div>',
                                           '', '', 'mylib'))
    body = src.body(lib/'mod.py', lambda f, name: '../mod.html#mix' if name == 'mix' else None)
    assert '<span class="line" id="L5"><a class="ln" href="#L5">5</a>' in body and '<a class="def" href="../mod.html#mix"' in body
    assert body.count('class="line"') == 10
    (site/'source'/'mod.py.html').write_text(md.layout('`mylib/mod.py`', '', body, '', '', 'mylib', '../'))
    assert md.check_site(site) == []
    assert md.plain('The `mod` module, **bold**') == 'The mod module, bold'

def test_pandas_range_index_dropped():
    "A pandas table's unnamed 0..n-1 index says nothing and has no header: the renderer drops it; a meaningful index stays"
    md = _load('make_docs'); pd = pytest.importorskip('pandas')
    df = pd.DataFrame({'a': [1, 2, 3], 'b': ['x', 'y', 'z']})
    h = md.drop_range_index(df._repr_html_())
    assert '<th></th>' not in h and '<th>0</th>' not in h and h.count('<td>') == 6 and '<th>a</th>' in h
    for kept in (df.iloc[[0, 2]], df.rename_axis('row'), df.set_index('b')):
        assert md.drop_range_index(kept._repr_html_()) == kept._repr_html_()

def test_test_only_imports():
    "A shown cell that only imports test helpers or private names is a defect (it belongs in a `#| hide` cell)"
    md = _load('make_docs')
    for src in ('from fastcore.test import *', 'from fastmix.core import _blend, _paste', 'import fastcore.test as T',
                'from fastcore.test import test_eq\nfrom fastmix.handler import _keys'):
        assert md.test_only_imports(src), src
    for src in ('from fastmix import *', 'from fastmix.core import _blend, lerp_rows', 'import torch\nfrom fastcore.test import *',
                'from fastcore.test import *\nx = 1', '', 'x = ('):
        assert not md.test_only_imports(src), src
