"bench/gpu_check.py's dry run: every part on the CPU at tiny sizes, so that the GPU check cannot rot between GPU runs"
import json, os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = {'device', 'torch', 'date', 'syncs', 'kernels', 'steps'}

def dry_run(out:Path, prelude:str='')->str:
    "Run the dry run as a subprocess (after `prelude`), writing to `out`; its output"
    code = (f"{prelude}import runpy, sys; sys.argv = ['gpu_check.py', '--dry-run', '--out', {str(out)!r}]; "
            "runpy.run_path('bench/gpu_check.py', run_name='__main__')")
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(ROOT), *filter(None, [os.environ.get('PYTHONPATH')])])}
    r = subprocess.run([sys.executable, '-c', code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r.stdout

def test_dry_run(tmp_path):
    stdout = dry_run(tmp_path/'gpu.json')
    res = json.loads((tmp_path/'gpu.json').read_text())
    assert KEYS <= set(res) and res['dry_run'] and not res['errors'], res['errors']
    assert (tmp_path/'gpu.log').read_text().strip()
    # every per-batch path ran, through the functional API and the callbacks; the CPU counts nothing (null)
    for p in ('fn: MixUp / index', 'fn: MixUp p=.5 per sample / index', 'fn: CutMix batch box inside / index',
              'fn: CutMix per-sample boxes paper / segmentation', 'fn: CutMix per-sample boxes uniform / index', 'fn: CutMixUp per sample / multi-label',
              'fn: CutMixUp per batch / index', 'fn: MixUpLoss / index',
              'fn: MixedBatch.targets() / one-hot', 'fn: no mixing / index', 'cb: MixUp off_pct=.5 / index',
              'cb: CutMix per-sample boxes p=.5 / index', 'cb: CutMixUp per sample / one-hot', 'cb: fastai MixUp / index',
              'cb: fastai CutMix / index', 'cb: no mixing / index'):
        assert p in res['syncs'], p
    assert all(v is None for v in res['syncs'].values())
    ks = res['kernels']
    assert ks and all({'name', 'shape', 'dtype', 'median_us', 'x_floor'} <= set(k) for k in ks)
    names = {k['name'] for k in ks}
    assert {'floor: add(a, b, out=c)', 'fastmix MixUp', 'fastmix CutMix (per-sample boxes)', 'fastai CutMix'} <= names
    assert {k['dtype'] for k in ks} == {'float32', 'bfloat16'}
    st = res['steps']
    assert st and all({'model', 'variant', 'median_ms', 'overhead_pct'} <= set(s) for s in st)
    assert {'no mixing', 'fastmix MixUp', 'fastmix CutMixUp (per sample)', 'fastai CutMix'} <= {s['variant'] for s in st}
    assert 'timm' in ' '.join(res['notes']) or any(s['variant'].startswith('timm') for s in st)   # timm's rows, or a note
    # the table comes last, and makes no timing claims
    table = stdout[stdout.index('gpu_check summary'):]
    assert 'DRY RUN' in table and 'kernel: MixUp / add floor' in table and 'step: ' in table and 'syncs: ' in table
    assert 'FAIL' not in table

def test_dry_run_without_fastai(tmp_path):
    "Without fastai the script still runs and says what it skipped"
    stdout = dry_run(tmp_path/'gpu.json', "import sys; sys.modules['fastai'] = None; ")
    res = json.loads((tmp_path/'gpu.json').read_text())
    assert KEYS <= set(res) and any(n.startswith('fastai is missing') for n in res['notes'])
    assert not any(k.startswith('cb: ') for k in res['syncs'])
    assert 'gpu_check summary' in stdout

def test_checks_of_a_gpu_run():
    "The table's verdicts on made-up GPU results: what a real run would be judged by"
    sys.path.insert(0, str(ROOT/'bench'))
    import gpu_check as g
    shape0, dt = [256, 3, 224, 224], 'float32'
    res = dict(device='cuda: NVIDIA H200', syncs={'fn: MixUp / index': 0, 'cb: CutMix batch box paper / index': 2, 'fn: no mixing / index': 0,
                                                  'cb: fastai MixUp / index': 3, 'fn: timm Mixup / index': 0},
               kernels=[dict(name='fastmix MixUp', shape=shape0, dtype=dt, median_us=150., x_floor=1.4, x_same_kind=.8),
                        dict(name='fastmix MixUp', shape=shape0, dtype='bfloat16', median_us=90., x_floor=1.6, x_same_kind=1.1)],
               steps=[dict(model='resnet50 bs128 224px', variant=v, median_ms=45., overhead_pct=o) for v, o in
                      (('no mixing', 0.), ('fastmix MixUp', .5), ('fastmix CutMix (per-sample boxes)', 2.), ('timm Mixup batch', .3))])
    rows = {r[0]: r for r in g.checks(res, g.GPU, dry=False)}
    assert rows['syncs: 2 fastmix paths'][1:] == ('1 sync, most 2: cb: CutMix batch box paper / index', '0', 'FAIL')
    assert rows['syncs: fn: no mixing / index'][3] == 'ok' and rows['syncs: cb: fastai MixUp / index'][3] == 'ok'
    assert rows['syncs: fn: timm Mixup / index'][3] == '-'
    assert rows['kernel: MixUp / add floor, 256x3x224x224 float32'][3] == 'ok'
    assert rows['kernel: MixUp / add floor, 256x3x224x224 bfloat16'][3] == 'FAIL'
    assert rows['kernel: slowest fastmix / same-kind peer, 256x3x224x224 bfloat16'][3] == 'FAIL'
    assert rows['step: resnet50 bs128 224px MixUp'][3] == 'ok'
    assert rows['step: resnet50 bs128 224px MixUp - best timm'][3] == 'FAIL'   # +0.5% against timm's +0.3%
    assert rows['step: resnet50 bs128 224px CutMix (per-sample boxes)'][3] == 'FAIL'
