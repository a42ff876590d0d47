"""Write README.md from nbs/index.ipynb (Quarto, which `nbdev_readme` needs, can't be installed here).

Run from the repository root in the dev venv: `python tools/make_readme.py`. With `--check` it only reports whether
README.md is up to date (exit 1 if not), which `.ci/run` uses.
"""
import re, sys
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter

ROOT = Path(__file__).resolve().parents[1]
DIRECTIVE = re.compile(r'^#\|\s*(.*)$', re.M)

def readme_nb(path):
    "The index notebook without hidden/exported cells, directives or execution noise"
    nb = nbformat.read(path, as_version=4)
    cells = []
    for c in nb.cells:
        flags = ' '.join(DIRECTIVE.findall(c.source)) if c.cell_type == 'code' else ''
        if re.search(r'\b(hide|export|exporti|default_exp)\b', flags): continue
        if c.cell_type == 'code':
            c.source = DIRECTIVE.sub('', c.source).strip()
            outs = []
            for o in c.get('outputs', []):
                if o.get('output_type') == 'stream' and ('Warning' in o.get('text', '') or o.get('name') == 'stderr'): continue
                data = o.get('data', {})
                if 'text/html' in data:   # fastai's progress table: drop the progress bar and its styles
                    html = re.sub(r'<style>.*?</style>', '', ''.join(data['text/html']), flags=re.S)
                    if '<progress' in html and '<table' not in html: continue
                    data['text/html'] = html.strip()
                outs.append(o)
            c.outputs = outs
        cells.append(c)
    nb.cells = cells
    return nb

def render(path=ROOT/'nbs'/'index.ipynb'):
    body, _ = MarkdownExporter().from_notebook_node(readme_nb(path))
    body = re.sub(r'\n{3,}', '\n\n', body).strip() + '\n'
    body = body.replace('](nbs/', '](nbs/')
    return body

if __name__ == '__main__':
    new, dest = render(), ROOT/'README.md'
    if '--check' in sys.argv:
        if not dest.exists() or dest.read_text() != new:
            sys.exit('README.md is out of date: run `python tools/make_readme.py` and commit it')
        print('README.md is up to date')
    else:
        dest.write_text(new)
        print(f'wrote {dest}')
