"""Write README.md from nbs/index.ipynb (Quarto, which `nbdev_readme` needs, can't be installed here).

Run from the repository root in the nbdev venv: `python tools/make_readme.py`. With `--check` it only reports whether
README.md is what nbs/index.ipynb gives (exit 1 if not), and with `--check --fresh` it also executes the notebook anew
(execnb, from the nbdev extra) and fails when README.md's words or numbers differ from that run's, beyond float noise
(`differences`; the run times fastai prints are ignored). `.ci/run` uses both, and `--command test` (or `demo`) to
print the README's own shell command, which CI runs word for word.
"""
import math, os, re, shutil, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIRECTIVE = re.compile(r'^#\|\s*(.*)$', re.M)

PROGRESS = re.compile(r'^\s*$|^\s*█\s*$|^Epoch \d+/\d+ :|\|[█-]+\|')
def clean_stream(text:str)->str:
    "fastprogress's console output without its progress bars: each line keeps what the `\\r`-redrawn bars leave"
    lines = [''.join(s for s in line.split('\r') if not PROGRESS.search(s)) for line in text.split('\n')]
    return '\n'.join(l for l in lines if l.strip()) + ('\n' if text.endswith('\n') else '')

def readme_nb(path):
    "The index notebook without hidden/exported cells, directives or execution noise"
    import nbformat   # imported here: `--command` runs before any venv exists
    nb = nbformat.read(path, as_version=4)
    cells = []
    for c in nb.cells:
        flags = ' '.join(DIRECTIVE.findall(c.source)) if c.cell_type == 'code' else ''
        if re.search(r'\b(hide|export|exporti|default_exp)\b', flags): continue
        if c.cell_type == 'code':
            c.source = DIRECTIVE.sub('', c.source).strip()
            outs = []
            for o in c.get('outputs', []):
                if o.get('output_type') == 'stream':
                    if 'Warning' in o.get('text', '') or o.get('name') == 'stderr': continue
                    o['text'] = clean_stream(''.join(o['text']))
                    if not o['text'].strip(): continue
                data = o.get('data', {})
                if 'text/html' in data:   # fastai's progress table: drop the progress bar and its styles
                    html = re.sub(r'<style>.*?</style>', '', ''.join(data['text/html']), flags=re.S)
                    if '<progress' in html and '<table' not in html: continue
                    data['text/html'] = html.strip()
                outs.append(o)
            c.outputs = outs
        cells.append(c)
    nb.cells = cells
    nb.metadata['language_info'] = {'name': 'python'}   # code blocks fenced as ```python
    return nb

def render(path=ROOT/'nbs'/'index.ipynb'):
    from nbconvert import MarkdownExporter
    body, _ = MarkdownExporter().from_notebook_node(readme_nb(path))
    body = re.sub(r'\n{3,}', '\n\n', body).strip() + '\n'
    body = body.replace('](nbs/', '](nbs/')
    return body

def commands(text:str)->dict:
    "The README's shell commands: the first `sh` block sets up and runs the demo, the second every test"
    blocks = re.findall(r'```sh\n(.*?)\n```', text, re.S)
    if len(blocks) < 2: raise SystemExit('README.md should hold two ```sh blocks: the demo command, then the test command')
    return {'demo': blocks[0].strip(), 'test': blocks[1].strip()}

NUM, TIME = re.compile(r'^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$'), re.compile(r'^\d+:\d\d$')
def _num(w):
    w = w.strip('.,;:()%')
    return float(w) if NUM.match(w) else None

def differences(old:str, new:str, rel:float=0.02, abs_:float=0.01)->list:
    "Where `new` (a fresh run) differs from `old` (README.md): words must match, numbers within float noise, times are free"
    a, b = old.split(), new.split()
    out = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x == y or (TIME.match(x) and TIME.match(y)): continue
        fx, fy = _num(x), _num(y)
        if fx is not None and fy is not None and math.isclose(fx, fy, rel_tol=rel, abs_tol=abs_): continue
        out.append(f'README.md says {x!r} where a fresh run gives {y!r}, after "{" ".join(a[max(0, i-6):i])}"')
    if len(a) != len(b): out.append(f'README.md has {len(a)} words, a fresh run {len(b)}')
    return out

def fresh_render(path=ROOT/'nbs'/'index.ipynb')->str:
    "Execute a copy of the index notebook anew, beside the original (so relative paths hold), and render it"
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    fd, tmp = tempfile.mkstemp(suffix='.ipynb', dir=path.parent); os.close(fd)
    cwd = os.getcwd()
    try:
        nb = read_nb(path); os.chdir(path.parent)
        CaptureShell().run_all(nb, exc_stop=True)
        write_nb(nb, tmp)
        return render(Path(tmp))
    finally: os.chdir(cwd); os.remove(tmp)

if __name__ == '__main__':
    dest = ROOT/'README.md'
    if '--command' in sys.argv:
        print(commands(dest.read_text())[sys.argv[sys.argv.index('--command') + 1]])
        sys.exit()
    new = render()
    if '--check' in sys.argv:
        if not dest.exists() or dest.read_text() != new:
            sys.exit('README.md is out of date: run `python tools/make_readme.py` and commit it')
        print('README.md is up to date with nbs/index.ipynb')
        if '--fresh' in sys.argv:
            diffs = differences(new, fresh_render())
            if diffs: sys.exit('README.md differs from nbs/index.ipynb executed anew: re-run the notebook, then '
                               '`python tools/make_readme.py`\n' + '\n'.join(diffs))
            print('README.md matches a fresh execution of nbs/index.ipynb')
    else:
        dest.write_text(new)
        print(f'wrote {dest}')
