"""Run every notebook in nbs/ as one pytest item, honouring nbdev's `tst_flags` (settings.ini) and `NBDEV_FLAGS`.

With nbdev installed (the dev extra), notebooks run through nbdev's own runner, `nbdev.test.test_nb`. Where nbdev 2
can't be installed (beside fastcore 2, as with the newest fastai), they run through `run_plain` below: the same cells,
in order, in one namespace, with the same flags.
"""
import json, os, re, sys, types
from configparser import ConfigParser
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini')
cfg = cfg['DEFAULT']
NBS_PATH = ROOT/cfg.get('nbs_path', 'nbs')
SKIP = cfg.get('tst_flags', '').split()                  # slow cuda
FORCE = os.environ.get('NBDEV_FLAGS', '').split()       # NBDEV_FLAGS="slow" pytest runs the slow cells too
NBS = sorted(p for p in NBS_PATH.rglob('*.ipynb')
             if not any(part.startswith(('_', '.')) for part in p.relative_to(NBS_PATH).parts))

try: import nbdev.test as nbtest   # not `from nbdev.test import test_nb`: pytest would collect it as a test
except ImportError: nbtest = None

def cell_flags(src):
    "The words of a cell's `#|` directives"
    return [w for line in re.findall(r'^#\|\s*(.*)$', src, re.M) for w in re.split(r'[\s:]+', line.strip()) if w]

def runs(src, skip=SKIP, force=FORCE):
    "Whether nbdev would run this cell"
    flags = cell_flags(src)
    if re.search(r'^#\|\s*eval:\s*false', src, re.M): return False
    return not any(f in flags and f not in force for f in skip)

def run_plain(path):
    "Execute the code cells of notebook `path` in order, in one fresh namespace, from the notebook's folder"
    if 'nbdev.showdoc' not in sys.modules:
        try: import nbdev.showdoc   # noqa: F401
        except ImportError:         # docs-only helper: a no-op where nbdev isn't installed
            nbdev = sys.modules.setdefault('nbdev', types.ModuleType('nbdev'))
            sd = types.ModuleType('nbdev.showdoc'); sd.show_doc = lambda *a, **k: None; sd.__all__ = ['show_doc']
            nbdev.showdoc = sys.modules['nbdev.showdoc'] = sd
    cells = json.loads(path.read_text())['cells']
    main, cwd = types.ModuleType('__main__'), os.getcwd()   # a module of its own, as in a notebook: its classes pickle
    ns, saved = main.__dict__, sys.modules['__main__']
    os.chdir(path.parent); sys.modules['__main__'] = main
    try:
        for i, c in enumerate(cells):
            src = ''.join(c['source'])
            if c['cell_type'] == 'code' and runs(src): exec(compile(src, f'{path.name} (cell {i})', 'exec'), ns)
    finally: os.chdir(cwd); sys.modules['__main__'] = saved

@pytest.mark.parametrize('nb', NBS, ids=[p.name for p in NBS])
def test_notebook(nb):
    if nbtest is None: run_plain(nb)
    else:
        ok, secs = nbtest.test_nb(nb, skip_flags=SKIP, force_flags=FORCE, basepath=ROOT)
        assert ok, f'{nb.name} failed: the traceback is in the captured stderr above'

def test_flags():
    "The runner skips what nbdev skips"
    assert SKIP == ['slow', 'cuda']
    assert runs('x = 1') and not runs('#| slow\nx = 1', force=[]) and runs('#| slow\nx = 1', force=['slow'])
    assert not runs('#|cuda\nx', force=[]) and not runs('#| eval: false\nx')
    assert len(NBS) >= 5, NBS
