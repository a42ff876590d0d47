"""Build the documentation site into `_docs/` from the notebooks, offline (Quarto, which `nbdev_docs` needs, can't be
installed here; where it can, `nbdev_docs` builds the same notebooks from `nbs/_quarto.yml` and `nbs/sidebar.yml`).

    python tools/make_docs.py             # build _docs/, then check every internal link and image; exit 1 on a problem
    python tools/make_docs.py --out DIR   # somewhere else

Each notebook goes through nbdev's own processors, as `nbdev_docs` would run them (directives removed, hidden cells
dropped, `show_doc` cells executed and rendered, exported code replaced by its documentation), except nbdev's
`add_links`, which points at the online site: this script links symbols and pages relatively instead. Each `show_doc`
entry gets its docments table, and its `source` link goes to the definition's line in the site's own copy of the module
(`source/<module>.py.html#L<n>`, highlighted, every line an anchor, each documented definition linked back to its entry).
Pages are plain HTML with one local stylesheet: no scripts, fonts or anything else from the network, readable from
`file://`.

The checks after the build (`check_site`, `check_api`) fail it on: a link or image pointing to a missing file or
anchor, anything loaded from the network, markdown left as text outside code (`[..](..)`, backticks, `**`), a table
column without a header, a public symbol without an entry or an example, a source link to the wrong line, a shown
cell that only imports test helpers or private names.
"""
import argparse, base64, html, json, re, shutil, sys, warnings
from configparser import ConfigParser
from html.parser import HTMLParser
from pathlib import Path

import mistune, yaml
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, get_lexer_by_name
from pygments.util import ClassNotFound

ROOT = Path(__file__).resolve().parents[1]
warnings.filterwarnings('ignore')

def settings():
    cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini')
    return cfg['DEFAULT']

def page_name(nb:Path)->str:
    "nbdev's output name: `04_cutmix.ipynb` -> `cutmix.html`, `index.ipynb` -> `index.html`"
    return re.sub(r'^\d+[a-zA-Z]?_', '', nb.stem) + '.html'

def slug(text:str)->str:
    "A heading's anchor, as Quarto/pandoc make it (lowercase; letters, digits, `_`, `-`, `.` kept; spaces to `-`)"
    t = re.sub(r'<[^>]+>', '', text).strip().lower()
    t = re.sub(r'[`*]', '', t)
    t = re.sub(r'\s+', '-', t)
    return re.sub(r'[^\w.\-]', '', t)

# ---------------------------------------------------------------- the sidebar

def sidebar(nbs:Path)->list:
    "[(section or None, [notebook paths])] from `sidebar.yml`, plus any notebook it leaves out, in file order"
    all_nbs = sorted(p for p in nbs.glob('*.ipynb') if not p.name.startswith(('_', '.')))
    out, seen = [], set()
    f = nbs/'sidebar.yml'
    if f.exists():
        contents = yaml.safe_load(f.read_text())['website']['sidebar']['contents']
        def walk(items):
            res = []
            for it in items:
                if isinstance(it, str): res.append(nbs/it)
                elif isinstance(it, dict) and 'href' in it: res.append(nbs/it['href'])
            return res
        top = walk([it for it in contents if not isinstance(it, dict) or 'section' not in it])
        if top: out.append((None, top))
        for it in contents:
            if isinstance(it, dict) and 'section' in it: out.append((it['section'], walk(it.get('contents', []))))
        for _, ps in out:
            for p in ps:
                if not p.exists(): sys.exit(f'sidebar.yml names {p.name}, which is not in {nbs}')
                seen.add(p.resolve())
    rest = [p for p in all_nbs if p.resolve() not in seen]
    if rest: out.append(('More' if out else None, rest))
    return out

# ---------------------------------------------------------------- show_doc with a docments table

def _cell_text(v): return ''.join(v) if isinstance(v, list) else str(v)

def docments_table(sym)->str:
    "A markdown table of `sym`'s parameters: type, default, and the comment after each (its docment)"
    from fastcore.docments import docments
    import inspect
    try: d = docments(sym, full=True)
    except Exception: return ''
    esc = lambda v: str(v).replace('|', '\\|').replace('\n', ' ')
    def anno(a):
        if a is inspect.Parameter.empty or a is None: return ''
        return a if isinstance(a, str) else getattr(a, '__name__', str(a)).replace('typing.', '')
    rows = []
    for k, v in d.items():
        if k in ('self', 'cls'): continue
        default = '' if v.get('default', inspect.Parameter.empty) is inspect.Parameter.empty else repr(v['default'])
        name = f'**Returns**' if k == 'return' else k
        if k == 'return' and not (v.get('docment') or anno(v.get('anno'))): continue
        rows.append(f"| {name} | {esc(anno(v.get('anno', '')))} | {esc(default)} | {esc(v.get('docment') or '')} |")
    if not rows: return ''
    return '\n\n| Parameter | Type | Default | Details |\n|---|---|---|---|\n' + '\n'.join(rows) + '\n'

def patch_show_doc():
    "Make `show_doc` (as the processors run it) add the docments table to each entry"
    import nbdev.showdoc as sd
    base = sd.BasicMarkdownRenderer
    if getattr(base, '_fastmix_tbl', False): return
    class TableRenderer(base):
        _fastmix_tbl = True
        def _repr_markdown_(self): return super()._repr_markdown_() + docments_table(self.sym)
    sd.BasicMarkdownRenderer = TableRenderer

def process(nb_path:Path):
    "The notebook after nbdev's docs processors (less `add_links`)"
    from execnb.nbio import read_nb
    from nbdev.processors import FilterDefaults
    from nbdev.process import NBProcessor
    nb = read_nb(nb_path)
    procs = [p for p in FilterDefaults().procs() if p.__name__ != 'add_links']
    NBProcessor(nb_path, procs, nb=nb).process()
    return nb

# ---------------------------------------------------------------- markdown with links and highlighting

FMT = HtmlFormatter(cssclass='hl')

def hl(code:str, lang:str='python')->str:
    try: lexer = get_lexer_by_name(lang or 'python')
    except ClassNotFound: lexer = PythonLexer()
    return highlight(code, lexer, FMT)

class Renderer(mistune.HTMLRenderer):
    def __init__(self, ids): super().__init__(escape=False); self.ids = ids
    def block_code(self, code, info=None): return hl(code, (info or 'python').split()[0])
    def heading(self, text, level, **attrs):
        i = slug(text); k = 2
        while i in self.ids: i = f'{slug(text)}-{k}'; k += 1
        self.ids.add(i)
        return f'<h{level} id="{i}">{text}<a class="anchor" href="#{i}">#</a></h{level}>\n'

def md_to_html(text:str, ids:set)->str:
    md = mistune.create_markdown(renderer=Renderer(ids), plugins=['table', 'strikethrough', 'url'])
    return md(text)

def md_inline(text:str)->str:
    "One line of markdown (a subtitle) as inline HTML: no paragraph around it"
    h = md_to_html(text, set()).strip()
    m = re.fullmatch(r'<p>(.*)</p>', h, flags=re.S)
    return m.group(1) if m else h

def plain(text:str)->str:
    "A line of markdown as plain text (for `<title>`, `<meta>` and the page list): its markup rendered, then dropped"
    return html.unescape(re.sub(r'<[^>]+>', '', md_inline(text))).strip()

def split_fences(text:str):
    "Yield (is_code, chunk) for the markdown text, fenced code blocks apart"
    parts = re.split(r'(^```.*?^```[ \t]*$)', text, flags=re.M | re.S)
    for i, p in enumerate(parts): yield i % 2 == 1, p

class Linker:
    "Turn `symbol` into a link to its documentation, and links to notebooks into links to pages"
    def __init__(self, anchors:dict):
        self.syms = {}
        try: from fastmix._modidx import d
        except ImportError: d = {'syms': {}}
        for mod, syms in d['syms'].items():
            for full, (link, _) in syms.items():
                page, _, anchor = link.partition('#')
                if anchor not in anchors.get(page, ()): continue           # documented on a page we built
                parts = full.split('.')
                for k in (1, 2):
                    if len(parts) > k: self.syms.setdefault('.'.join(parts[-k:]), (page, anchor))
                self.syms.setdefault(full, (page, anchor))

    def __call__(self, text:str, here:str)->str:
        out = []
        for code, chunk in split_fences(text):
            if not code:
                chunk = re.sub(r'\]\(([^)\s]+?)\.ipynb(#[^)\s]*)?\)', lambda m: f']({self.page_of(m.group(1))}{m.group(2) or ""})', chunk)
                chunk = re.sub(r'(?<![\[\w`])`([A-Za-z_][\w.]*)(\(\))?`(?![\]\w`])', lambda m: self.sym(m, here), chunk)
            out.append(chunk)
        return ''.join(out)

    def page_of(self, stem:str)->str: return page_name(Path(stem + '.ipynb'))

    def sym(self, m, here:str)->str:
        name = m.group(1)
        hit = self.syms.get(name) or self.syms.get(name.rstrip('.'))
        if not hit: return m.group(0)
        page, anchor = hit
        href = ('' if page == here else page) + '#' + anchor
        return f'[{m.group(0)}]({href})'

# ---------------------------------------------------------------- the library's source, as pages

def definitions(code:str)->dict:
    "{line: [names]} of what a module defines: functions, classes, methods (`Class.name`, `@patch` ones too), assignments"
    import ast
    out = {}
    def add(n, name): out.setdefault(n, []).append(name)
    try: tree = ast.parse(code)
    except SyntaxError: return out
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            cls = None
            if any(getattr(d, 'id', getattr(getattr(d, 'func', None), 'id', None)) in ('patch', 'patch_to') for d in node.decorator_list):
                a = node.args.args[0].annotation if node.args.args else None
                cls = getattr(a, 'id', None)
            add(node.lineno, f'{cls}.{node.name}' if cls else node.name)
        elif isinstance(node, ast.ClassDef):
            add(node.lineno, node.name)
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)): add(sub.lineno, f'{node.name}.{sub.name}')
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                if isinstance(t, ast.Name): add(node.lineno, t.id)
    return out

class Sources:
    "The library's modules, each a page `source/<path in the library>.html` with the anchor `L<n>` on its line n"
    def __init__(self, root:Path, lib_path:str, git_url:str, branch:str):
        self.root, self.lib = root, root/lib_path
        self.files = sorted(f for f in self.lib.rglob('*.py') if f.name == '__init__.py' or not f.name.startswith('_'))
        self.code = {f: f.read_text() for f in self.files}
        self.defs = {f: definitions(c) for f, c in self.code.items()}
        self.remote = re.compile(re.escape(git_url.rstrip('/')) + r'/blob/[^/]+/([^#?]+)(?:#L(\d+))?$')
        self.problems = []

    def page(self, f:Path)->str: return 'source/' + f.relative_to(self.lib).as_posix() + '.html'
    def module_file(self, mod:str)->Path|None:
        f = self.lib/(mod.replace('.', '/') + '.py')
        return f if f in self.code else None

    def local(self, url:str, name:str='', where:str='')->str|None:
        "The site's page and line for a source link into the library's repository (`git_url/blob/...#L<n>`); else None"
        m = self.remote.match(url)
        if not m: return None
        f = (self.root/m.group(1)).resolve()
        if f not in self.code: return None
        href = self.page(f) + (f'#L{m.group(2)}' if m.group(2) else '')
        if name and m.group(2):    # the line must be the definition (a stale export would point elsewhere)
            n, last = int(m.group(2)), re.escape(name.split('.')[-1])
            line = (self.code[f].splitlines() + [''] * n)[n - 1]
            if not re.match(rf'\s*((async\s+)?def|class)\s+{last}\b|\s*{last}\s*[:=]', line):
                self.problems.append(f'{where}: the source link of {name} points to line {n} of {f.relative_to(self.root)}, '
                                     'which does not define it (run nbdev_export)')
        return href

    def body(self, f:Path, doc_href)->str:
        "The module highlighted, one `<span class=line id=L<n>>` per line; a documented definition links to its entry"
        out = highlight(self.code[f], PythonLexer(stripnl=False, ensurenl=True), HtmlFormatter(nowrap=True)).split('\n')
        if out and out[-1] == '': out.pop()
        lines = []
        for n, h in enumerate(out, 1):
            for name in self.defs[f].get(n, ()):
                href = doc_href(f, name)
                if href:
                    last = html.escape(name.split('.')[-1])
                    h = re.sub(rf'(<span class="n[fc]?">{re.escape(last)}</span>)', rf'<a class="def" href="{href}" title="its documentation">\1</a>', h, count=1)
            lines.append(f'<span class="line" id="L{n}"><a class="ln" href="#L{n}">{n}</a>{h}</span>')
        return '<div class="hl src"><pre>' + ''.join(lines) + '</pre></div>'

# ---------------------------------------------------------------- cells

DIRECTIVE = re.compile(r'^#\|\s*([\w-]+)\s*:?\s*(.*)$')

def directives(src:str)->tuple:
    "(the cell's `#|` directives as a dict, its source without them)"
    d, keep = {}, []
    for line in src.splitlines():
        m = DIRECTIVE.match(line)
        if m: d[m.group(1)] = m.group(2).strip() or 'true'
        else: keep.append(line)
    return d, '\n'.join(keep).strip('\n')

def clean_fastai_html(h:str)->str|None:
    "fastai's progress output: keep the results table, drop the bar and its styles"
    h = re.sub(r'<style>.*?</style>', '', h, flags=re.S)
    if '<progress' in h and '<table' not in h: return None
    h = re.sub(r'<div>\s*<progress.*?</div>', '', h, flags=re.S)
    return h.strip()

def drop_range_index(h:str|None)->str|None:
    """A pandas table whose index has no name and is just 0, 1, ..., n-1 (a `RangeIndex`) without that column: it says
    nothing and has no header. A named index, or one whose labels mean something, stays (and must have a name)"""
    if not h or 'class="dataframe"' not in h: return h
    m = re.search(r'<thead>(.*?)</thead>(.*?)</tbody>', h, re.S)
    if not m or m.group(1).count('<tr') != 1 or not re.search(r'<tr[^>]*>\s*<th></th>', m.group(1)): return h
    labels = re.findall(r'<tr>\s*<th>([^<]*)</th>', m.group(2))
    if len(labels) != m.group(2).count('<tr') or labels != [str(i) for i in range(len(labels))]: return h
    head = re.sub(r'(<tr[^>]*>)\s*<th></th>', r'\1', m.group(1), count=1)
    body = re.sub(r'(<tr>)\s*<th>\d+</th>', r'\1', m.group(2))
    return h[:m.start()] + f'<thead>{head}</thead>{body}</tbody>' + h[m.end():]

class Page:
    def __init__(self, nb_path:Path, out:Path):
        self.path, self.out, self.name = nb_path, out, page_name(nb_path)
        self.nb = process(nb_path)
        self.fm = getattr(self.nb, 'frontmatter_', {}) or {}
        self.title = self.fm.get('title') or nb_path.stem
        self.ids, self.n_img = set(), 0
        self.heading_ids = self._collect_ids()
        m = re.search(r'#\|\s*default_exp\s+([\w.]+)', nb_path.read_text())
        self.module = m.group(1) if m else None

    def _collect_ids(self)->set:
        "Anchors this page will have (headings of markdown cells and of show_doc output)"
        ids = set()
        for c in self.nb.cells:
            texts = [c.source] if c.cell_type == 'markdown' else [_cell_text(o.get('data', {}).get('text/markdown', '')) for o in c.get('outputs', [])]
            for t in texts:
                for code, chunk in split_fences(t or ''):
                    if not code: ids |= {slug(h) for h in re.findall(r'^#{1,6}\s+(.+?)\s*#*\s*$', chunk, re.M)}
        return ids

    def image(self, data:str, ext:str)->str:
        self.n_img += 1
        rel = f'images/{self.path.stem}_{self.n_img}.{ext}'
        (self.out/rel).write_bytes(base64.b64decode(data) if ext == 'png' or ext == 'jpeg' else data.encode())
        return rel

    def md(self, text:str, link, src=None)->str:
        out = []
        for code, chunk in split_fences(text):
            if not code:
                chunk = self.source_links(chunk, src)
                chunk = re.sub(r'\{target="_blank"[^}]*\}', '', chunk)    # Quarto link attributes
                # show_doc's separator: its own HTML block, with the blank lines around it that end one
                chunk = re.sub(r'^---[ \t]*$', '\n<hr class="doc-sep">\n', chunk, flags=re.M)
            out.append(chunk)
        return md_to_html(link(''.join(out), self.name), self.ids)

    def source_links(self, text:str, src)->str:
        "show_doc's `[source](repository URL#L<n>)`: a link to the line in the site's copy of the module"
        def sub(m):
            nm = re.search(r'^#{1,6}\s+(\S+)', text[m.end():], re.M)
            href = src.local(m.group(1), nm.group(1) if nm else '', self.name) if src else None
            if href: return f'<a class="src-link" href="{href}" title="the definition in the module\'s source">source</a>'
            return f'[source]({m.group(1)})'
        return re.sub(r'\[source\]\(([^)\s]+)\)(\{[^}]*\})?', sub, text)

    def output(self, o, link, src=None)->str:
        t = o.get('output_type')
        if t == 'stream':
            if o.get('name') == 'stderr' and re.search(r'Warning|warn\(', _cell_text(o.get('text', ''))): return ''
            return f'<pre class="out">{html.escape(_cell_text(o.get("text", "")))}</pre>'
        if t == 'error': return f'<pre class="out err">{html.escape(chr(10).join(o.get("traceback", [])))}</pre>'
        data = o.get('data', {})
        if 'text/markdown' in data: return f'<div class="md-out">{self.md(_cell_text(data["text/markdown"]), link, src)}</div>'
        for ext, mime in (('png', 'image/png'), ('jpeg', 'image/jpeg'), ('svg', 'image/svg+xml')):
            if mime in data: return f'<div class="img-out"><img src="{self.image(_cell_text(data[mime]), ext)}" alt="output of the code above"></div>'
        if 'text/html' in data:
            h = drop_range_index(clean_fastai_html(_cell_text(data['text/html'])))
            return '' if not h else f'<div class="html-out">{h}</div>'
        if 'text/plain' in data:
            txt = _cell_text(data['text/plain'])
            if re.fullmatch(r'<(Figure|matplotlib)[^>]*>', txt.strip()): return ''
            return f'<pre class="out">{html.escape(txt)}</pre>'
        return ''

    def body(self, link, sources=None)->str:
        parts = []
        for c in self.nb.cells:
            if c.cell_type == 'raw' or not (c.source or c.get('outputs')): continue
            if c.cell_type == 'markdown':
                if c.source.strip().startswith('<!-- WARNING'): continue
                parts.append(f'<div class="md">{self.md(c.source, link)}</div>')
                continue
            d, src = directives(c.source)
            if d.get('include') == 'false': continue
            shown = d.get('echo') != 'false' and src.strip()
            outs = '' if d.get('output') == 'false' else ''.join(self.output(o, link, sources) for o in c.get('outputs', []))
            code = hl(src) if shown else ''
            if code or outs: parts.append(f'<div class="cell">{code}{outs}</div>')
        return '\n'.join(parts)

# ---------------------------------------------------------------- the site

CSS = """
:root { --fg:#1d2329; --muted:#5b6670; --link:#1a5fb4; --bg:#fff; --side:#f5f7f9; --code:#f6f8fa; --line:#dde3e8; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin:0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color:var(--fg); background:var(--bg); }
a { color:var(--link); text-decoration:none; } a:hover { text-decoration:underline; }
header.top { display:flex; align-items:center; gap:.8rem; padding:.6rem 1rem; border-bottom:1px solid var(--line); background:#24313d; color:#fff; position:sticky; top:0; z-index:3; }
header.top a.brand { color:#fff; font-weight:600; font-size:1.1rem; }
header.top label { display:none; cursor:pointer; font-size:1.4rem; line-height:1; }
#nav-toggle { display:none; }
.layout { display:flex; align-items:flex-start; }
nav.side { width:260px; flex:0 0 260px; position:sticky; top:3rem; max-height:calc(100vh - 3rem); overflow:auto; padding:1rem; background:var(--side); border-right:1px solid var(--line); min-height:calc(100vh - 3rem); }
nav.side .sec { margin:1rem 0 .3rem; font-size:.8rem; text-transform:uppercase; letter-spacing:.05em; color:var(--muted); font-weight:600; }
nav.side ul { list-style:none; margin:0; padding:0; }
nav.side li a { display:block; padding:.22rem .5rem; border-radius:4px; color:var(--fg); }
nav.side li a.here { background:#dbe7f5; color:var(--link); font-weight:600; }
main { flex:1; min-width:0; max-width:980px; padding:1.2rem 2rem 4rem; }
main h1.title { margin:.2rem 0 .2rem; font-size:2rem; }
p.description { color:var(--muted); font-size:1.15rem; margin:0 0 1.5rem; font-style:italic; }
h2, h3, h4 { margin-top:1.6em; } h2 { border-bottom:1px solid var(--line); padding-bottom:.2rem; }
h1 a.anchor, h2 a.anchor, h3 a.anchor, h4 a.anchor { visibility:hidden; margin-left:.4rem; font-size:.8em; color:var(--muted); }
h1:hover a.anchor, h2:hover a.anchor, h3:hover a.anchor, h4:hover a.anchor { visibility:visible; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size:.9em; background:var(--code); padding:.05em .3em; border-radius:3px; }
pre { overflow:auto; font-size:.85rem; line-height:1.45; padding:.7rem .9rem; margin:0; border-radius:5px; }
.hl { background:var(--code); border:1px solid var(--line); border-radius:5px; margin:.6rem 0 0; }
.hl pre { background:none; }
pre code { background:none; padding:0; }
.cell { margin:1rem 0; }
pre.out { background:none; border-left:3px solid #f0a987; border-radius:0; margin:.2rem 0 0 .6rem; }
pre.err { border-left-color:#c01c28; color:#a51d2d; }
.img-out img, .md img { max-width:100%; height:auto; }
.img-out { margin:.4rem 0 0 .6rem; }
.html-out { overflow:auto; margin:.4rem 0 0 .6rem; }
table { border-collapse:collapse; margin:.8rem 0; font-size:.92rem; display:block; overflow:auto; max-width:100%; }
th, td { border:1px solid var(--line); padding:.3rem .6rem; text-align:left; vertical-align:top; }
th { background:var(--side); }
.md-out { margin:.4rem 0; }
hr.doc-sep { border:0; border-top:2px solid var(--line); margin:2rem 0 .6rem; }
.md-out a.src-link, .md-out a[href^="http"] { float:right; font-size:.85rem; margin-left:1rem; }
:target, .md-out { scroll-margin-top:3.8rem; }
.src pre { padding:.5rem 0; }
.src .line { display:block; padding-right:.9rem; }
.src .line:target { background:#fff3bf; }
.src a.ln { display:inline-block; width:3.6em; padding-right:.9em; text-align:right; color:#8a949c; user-select:none; }
.src a.def { text-decoration:underline dotted; }
p.description code { font-style:normal; }
blockquote { margin:.6rem 0; padding:.1rem 1rem; border-left:4px solid var(--line); color:var(--muted); }
footer { color:var(--muted); font-size:.85rem; margin-top:3rem; border-top:1px solid var(--line); padding-top:.8rem; }
@media (max-width: 800px) {
  header.top label { display:block; }
  .layout { display:block; }
  nav.side { display:none; position:static; width:auto; max-height:none; min-height:0; border-right:0; border-bottom:1px solid var(--line); }
  #nav-toggle:checked ~ .layout nav.side { display:block; }
  main { padding:1rem .9rem 3rem; }
  main h1.title { font-size:1.6rem; }
}
"""

def nav_html(sections, pages:dict, here:str, up:str='')->str:
    out = []
    for sec, paths in sections:
        if sec: out.append(f'<div class="sec">{html.escape(sec)}</div>')
        out.append('<ul>')
        for p in paths:
            pg = pages[p.resolve()]
            cls = ' class="here"' if pg.name == here else ''
            out.append(f'<li><a href="{up}{pg.name}"{cls}>{html.escape(plain(pg.title))}</a></li>')
        out.append('</ul>')
    return '\n'.join(out)

def layout(title:str, desc:str, body:str, footer:str, nav:str, lib:str, up:str='')->str:
    "A page of the site; `title` and `desc` are markdown (one line each), `up` the way back to the site's top folder"
    desc_html = f'<p class="description">{desc}</p>' if desc else ''
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(plain(title))} - {lib}</title>
<meta name="description" content="{html.escape(plain(desc))}">
<link rel="stylesheet" href="{up}site.css">
<link rel="stylesheet" href="{up}pygments.css">
</head>
<body>
<input type="checkbox" id="nav-toggle" aria-label="Show the page list">
<header class="top"><label for="nav-toggle" title="Pages">&#9776;</label><a class="brand" href="{up}index.html">{lib}</a></header>
<div class="layout">
<nav class="side" aria-label="Pages">
{nav}
</nav>
<main>
<h1 class="title">{md_inline(title)}</h1>
{desc_html}
{body}
<footer>{footer}</footer>
</main>
</div>
</body>
</html>
"""

def render_page(pg:Page, sections, pages, link, lib:str, src=None)->str:
    body = pg.body(link, src)
    desc = pg.fm.get('description', '')
    desc = md_inline(link(desc, pg.name)) if desc else ''
    f = src.module_file(pg.module) if src and pg.module else None
    code = f' Its code: <a href="{src.page(f)}"><code>{f.relative_to(src.root).as_posix()}</code></a>.' if f else ''
    footer = f'Built from <code>nbs/{pg.path.name}</code> by <code>tools/make_docs.py</code>.{code}'
    return layout(pg.title, desc, body, footer, nav_html(sections, pages, pg.name), lib)

def render_source(f:Path, src:Sources, sections, pages, link, lib:str)->str:
    "The page of one module: where it comes from, and its code with line anchors"
    up = '../' * src.page(f).count('/')
    rel = f.relative_to(src.root).as_posix()
    mod = '.'.join(f.relative_to(src.lib).with_suffix('').parts)
    doc_pg = next((pg for pg in pages.values() if pg.module == mod), None)
    desc = (f'The module as `nbdev_export` writes it from `nbs/{doc_pg.path.name}` (edit the notebook, not this file); '
            f'its documentation: [{plain(doc_pg.title)}]({up}{doc_pg.name})') if doc_pg else 'Part of the library'
    def doc_href(f, name):
        hit = link.syms.get(f'{mod}.{name}') or link.syms.get(f'{src.lib.name}.{mod}.{name}')
        return f'{up}{hit[0]}#{hit[1]}' if hit else None
    body = src.body(f, doc_href)
    footer = f'<code>{rel}</code>, shown by <code>tools/make_docs.py</code>; each line number links to itself.'
    return layout(f'`{rel}`', md_inline(desc), body, footer, nav_html(sections, pages, '', up), lib, up)

# ---------------------------------------------------------------- checking the result

class _Refs(HTMLParser):
    "A page's ids, links and images; its text nodes outside code; its tables, as (header rows, other rows) of cells"
    SKIP = {'code', 'pre', 'script', 'style', 'kbd', 'samp'}
    def __init__(self):
        super().__init__(); self.ids, self.refs, self.texts, self.tables = set(), [], [], []
        self.skip, self.open = 0, []     # depth inside code; the open tables (innermost last)
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if 'id' in a: self.ids.add(a['id'])
        if tag == 'a' and 'name' in a: self.ids.add(a['name'])
        for k in ('href', 'src'):
            if a.get(k): self.refs.append((tag, k, a[k]))
        if tag in self.SKIP: self.skip += 1
        if tag == 'table': self.open.append(dict(rows=[], row=None, cell=None, thead=False))
        if not self.open: return
        t = self.open[-1]
        if tag in ('thead', 'tbody', 'tfoot'): t['thead'] = tag == 'thead'
        elif tag == 'tr': t['row'] = []
        elif tag in ('th', 'td') and t['row'] is not None:
            try: span = int(a.get('colspan') or 1)
            except ValueError: span = 1
            t['cell'] = [tag, max(span, 1), '']
    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip: self.skip -= 1
        if not self.open: return
        t = self.open[-1]
        if tag in ('th', 'td') and t['cell'] is not None and t['row'] is not None: t['row'].append(t['cell']); t['cell'] = None
        elif tag == 'tr' and t['row'] is not None: t['rows'].append((t['thead'], t['row'])); t['row'] = None
        elif tag == 'table':
            self.open.pop()
            rows = t['rows']
            if any(h for h, _ in rows): head = [r for h, r in rows if h]          # header rows: those in <thead>,
            else:                                                                  # else the leading rows of <th> only
                head = []
                for _, r in rows:
                    if not (r and all(c[0] == 'th' for c in r)): break
                    head.append(r)
            self.tables.append((head, [r for _, r in rows if not any(r is x for x in head)]))
    def handle_data(self, data):
        if self.open and self.open[-1]['cell'] is not None: self.open[-1]['cell'][2] += data
        if not self.skip and data.strip(): self.texts.append(data)

# markdown that a renderer left as text: a link, a code span's backticks, bold's asterisks
LITERAL_MD = re.compile(r'\[[^\]\n]*\]\([^)\s]*\)|`|\*\*')

def literal_markdown(texts:list)->list:
    "Each text node (outside `<code>`/`<pre>`) that shows markdown syntax, as a short excerpt around the first hit"
    out = []
    for t in texts:
        m = LITERAL_MD.search(t)
        if m: out.append(' '.join(t[max(0, m.start() - 40):m.end() + 40].split()))
    return out

def headless_columns(head:list, rows:list)->list:
    "The (1-based) columns of a table that no header row names"
    def expand(r): return [c[2].strip() for c in r for _ in range(c[1])]
    n = max((len(expand(r)) for r in head + rows), default=0)
    named = [any(j < len(expand(r)) and expand(r)[j] for r in head) for j in range(n)]
    return [j + 1 for j, ok in enumerate(named) if not ok]

def check_site(out:Path)->list:
    """Every page (the site's top level and `source/`): each internal link and image points to a file that exists and
    to an anchor in it; nothing is loaded from the network; no text outside code shows markdown syntax (`[..](..)`,
    backticks, `**`); every table column has a header. Returns the problems"""
    parsed = {}
    for f in sorted(out.rglob('*.html')):
        p = _Refs(); p.feed(f.read_text()); p.close(); parsed[f.relative_to(out).as_posix()] = p
    problems = []
    for name, p in parsed.items():
        here = (out/name).parent
        for tag, attr, ref in p.refs:
            if re.match(r'^[a-z][\w+.-]*:', ref):
                if ref.startswith(('http://', 'https://', 'mailto:')) and (tag != 'a'):
                    problems.append(f'{name}: <{tag} {attr}> loads {ref} from the network')
                elif not ref.startswith(('http://', 'https://', 'mailto:', 'data:')): problems.append(f'{name}: odd link {ref}')
                continue
            target, _, anchor = ref.partition('#')
            tf = (here/target).resolve() if target else (out/name).resolve()
            if not tf.exists(): problems.append(f'{name}: {attr}="{ref}" points to a missing file'); continue
            if anchor:
                try: key = tf.relative_to(out.resolve()).as_posix()
                except ValueError: key = None
                ids = parsed[key].ids if key in parsed else set()
                if anchor not in ids: problems.append(f'{name}: {attr}="{ref}" points to a missing anchor')
        for s in literal_markdown(p.texts): problems.append(f'{name}: literal markdown in the text: {s!r}')
        for i, (head, rows) in enumerate(p.tables):
            cols = headless_columns(head, rows)
            if cols:
                first = ' | '.join(c[2].strip() for c in (head or rows or [[]])[0])[:80]
                problems.append(f'{name}: table {i+1} ({first!r}) has no header for column(s) {cols}')
    return problems

def check_api(pages:dict, nbs:Path)->list:
    "Every public symbol (`fastmix.__all__`) has an entry (a `show_doc` heading) and appears in a code cell that runs"
    import fastmix
    from fastmix._modidx import d
    where = {full.split('.')[-1]: link.partition('#') for syms in d['syms'].values() for full, (link, _) in syms.items()}
    anchors = {pg.name: pg.heading_ids for pg in pages.values()}
    used = ''
    for pg in pages.values():
        for c in pg.nb.cells:
            if c.cell_type == 'code' and 'show_doc(' not in c.source: used += '\n' + c.source
    problems = []
    for name in fastmix.__all__:
        page, _, anchor = where.get(name, ('', '', ''))
        if anchor not in anchors.get(page, ()): problems.append(f'API: {name} has no show_doc entry on any page')
        if not re.search(rf'(?<![\w.]){re.escape(name)}\b(?!\s*=)', used): problems.append(f'API: {name} is never used in an example cell')
    return problems

def test_only_imports(src:str)->bool:
    "Whether a code cell only imports test helpers (`fastcore.test`, `test_*`) or private names: it belongs in a `#| hide` cell"
    import ast
    try: tree = ast.parse(src)
    except SyntaxError: return False
    if not tree.body or not all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in tree.body): return False
    def test_only(n):
        if isinstance(n, ast.ImportFrom) and (n.module or '').startswith(('fastcore.test', 'nbdev.test')): return True
        if isinstance(n, ast.Import): return all(a.name.startswith('fastcore.test') for a in n.names)
        return all(a.name.startswith(('_', 'test_')) for a in n.names)
    return all(test_only(n) for n in tree.body)

def check_imports(pages:dict)->list:
    "No page shows a cell that only imports test helpers or private names"
    problems = []
    for pg in pages.values():
        for c in pg.nb.cells:
            if c.cell_type != 'code': continue
            d, src = directives(c.source)
            if d.get('include') == 'false' or d.get('echo') == 'false': continue
            if src.strip() and test_only_imports(src):
                problems.append(f'{pg.name}: a shown cell only imports test helpers or private names (make it #| hide): {src[:80]!r}')
    return problems

def build(out:Path=ROOT/'_docs')->list:
    cfg = settings()
    nbs = ROOT/cfg.get('nbs_path', 'nbs')
    patch_show_doc()
    if out.exists(): shutil.rmtree(out)
    (out/'images').mkdir(parents=True)
    sections = sidebar(nbs)
    pages = {}
    for _, paths in sections:
        for p in paths:
            print(f'processing {p.name}', flush=True)
            pages[p.resolve()] = Page(p, out)
    anchors = {pg.name: pg.heading_ids for pg in pages.values()}
    link = Linker(anchors)
    lib = cfg.get('lib_name', 'docs')
    src = Sources(ROOT, cfg.get('lib_path', lib), cfg.get('git_url', ''), cfg.get('branch', 'main'))
    for pg in pages.values(): (out/pg.name).write_text(render_page(pg, sections, pages, link, lib, src))
    for f in src.files:
        (out/src.page(f)).parent.mkdir(parents=True, exist_ok=True)
        (out/src.page(f)).write_text(render_source(f, src, sections, pages, link, lib))
    (out/'site.css').write_text(CSS)
    (out/'pygments.css').write_text(FMT.get_style_defs('.hl'))
    for f in nbs.glob('*.png'): shutil.copy(f, out/f.name)
    (out/'pages.json').write_text(json.dumps([pg.name for pg in pages.values()] + [src.page(f) for f in src.files], indent=1))
    problems = src.problems + check_site(out) + check_api(pages, nbs) + check_imports(pages)
    print(f'wrote {len(pages)} pages and {len(src.files)} source pages to {out}')
    return problems

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=str(ROOT/'_docs'))
    a = ap.parse_args()
    problems = build(Path(a.out).resolve())
    if problems:
        print('\n'.join(problems)); sys.exit(f'{len(problems)} problem(s): broken links or images, literal markdown, '
                                             'tables without headers, undocumented symbols')
    print('links, images, rendered text, tables and API entries: ok')
