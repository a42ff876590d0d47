"""The GPU, measured in one prepared check: host syncs of every per-batch path, kernel times, and real training steps.

    python bench/gpu_check.py                       # on one H200: well inside 8 minutes (no torch.compile builds any more); bench/results/gpu.json and gpu.log
    python bench/gpu_check.py --dry-run --out /tmp/gpu.json   # every part on the CPU at tiny sizes, no timing claims (a test runs it; ~75 s on the dev box)
    python bench/gpu_check.py --parts syncs,kernels   # some parts only

1. syncs: every per-batch path (MixUp; CutMix with one box per batch and one per sample, in every box mode and with
   `minmax`; CutMixUp per batch and per sample; `p` < 1 per batch and per sample; `off_pct`; `inplace`; index, one-hot,
   multi-label and segmentation targets; the loss and its backward, `MixedBatch.targets()`, `MixUpLoss`)
   runs after a warm-up under CUDA's sync debug mode in 'warn' mode, where every host sync is a warning, counted (the
   issue's 'error' mode would stop at the first one; the target is still 0: any count fails). `fn:` paths call the
   functional API (the mix, then the loss and its backward, are counted; not the model's forward); `cb:` paths train a
   tiny `Learner` with the callback, counting only its `before_batch`, the loss and the backward of each batch. fastai's
   own MixUp and CutMix are counted too: they sync, which shows the count works (timm's Mixup is counted for reference,
   and a step without mixing as a control). The CPU has no sync debug mode: a dry run runs the same paths, records null.
2. kernels: `bench_mix.py`'s cases (the floors `add(out=)` and `x.lerp(x[perm], w)`, fastmix, fastai, timm and
   torchvision) at (256,3,224,224) float32 and bfloat16, (256,3,32,32) and (32,3,224,224) float32, timed between CUDA
   events in shuffled rounds; medians, `x_floor` (median over rounds of time / add floor) and `x_same_kind` (against
   the fastest peer that writes the same way, into a new tensor or into its input).
3. steps: `bench_train.py`'s variants (no mixing, each fastmix variant, fastai's MixUp and CutMix, timm, torchvision) on
   ResNet-50 at batch 128, 224 px and ResNet-18 at batch 512, 32 px: bf16 autocast, channels-last, shuffled rounds, the
   median step time and the median over rounds of the overhead against no mixing.
The table printed last holds each result against the issue's targets; `--out` gets the JSON, with the log beside it.

On the GPU machine (its image has torch, torchvision and timm, but not fastai). Here, once: `bench/gpu_wheels.sh` saves
the wheels of fastai, fastcore, fastdownload, fastprogress, fasttransform, plum-dispatch, beartype, python-fasthtml,
starlette, itsdangerous, python-multipart and defusedxml (fastprogress imports fasthtml, which imports the last four;
spacy is only for fastai.text and stays behind) into bench/wheels/ (ignored by git, 2.5 MB). Then one call of the
device tool `run`, from a checkout that holds this script, with carry=["bench/wheels"] and timeout_s=540:

    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site bench/wheels/*.whl && export PYTHONPATH=/tmp/site:$PWD || exit; PYTHONUNBUFFERED=1 python3 bench/gpu_check.py --out $OUT/gpu.json

and copy the gpu.json and gpu.log it sends back into bench/results/. Without fastai the script still runs: the callback
paths and fastai's peers are skipped with a note (and every fastmix path too, as long as fastmix imports fastai).
"""
import argparse, contextlib, datetime, json, platform, sys, time, traceback, warnings
T0 = time.perf_counter()                      # the whole check's time starts before torch's import
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
from torch import nn
import torch.nn.functional as F
import bench_mix, bench_train

SYNC = 'synchronizing CUDA operation'   # the warning CUDA's sync debug mode gives for each host sync
F32, BF16 = torch.float32, torch.bfloat16
GPU = dict(sync_shapes=[(256, 3, 32, 32), (32, 3, 224, 224)], cb_shape=(256, 3, 32, 32),
           kernel_shapes=[((256, 3, 224, 224), F32), ((256, 3, 224, 224), BF16), ((256, 3, 32, 32), F32), ((32, 3, 224, 224), F32)],
           models=[('resnet50', 128, 224, 1000), ('resnet18', 512, 32, 10)], reps=40, rounds=15, steps=5, warm=3, sync_calls=(2, 4))
DRY = dict(sync_shapes=[(4, 3, 16, 16)], cb_shape=(4, 3, 16, 16),
           kernel_shapes=[((4, 3, 16, 16), F32), ((4, 3, 16, 16), BF16)], models=[('resnet18', 4, 16, 10)], reps=2, rounds=1, steps=1, warm=1, sync_calls=(1, 1))
TARGETS = ('index', 'one-hot', 'multi-label', 'segmentation')
# (fastmix variant of bench_train, its overhead target on the first model, the timm variants it must not be slower than)
STEP_TARGETS = {'fastmix MixUp': (1., ('timm Mixup batch', 'timm Mixup elem')), 'fastmix CutMix (batch box)': (1., ('timm CutMix batch',)),
                'fastmix CutMix (per-sample boxes)': (1.5, ('timm CutMix elem',)), 'fastmix CutMixUp (per sample)': (1.5, ('timm Mixup+CutMix elem',))}

def import_error(mod:str):
    "None if `mod` imports, else why not"
    try: __import__(mod)
    except Exception as e: return f'{type(e).__name__}: {str(e).splitlines()[0][:160]}'

# ---------------------------------------------------------------- 1. host syncs
class SyncCount:
    "Counts the host syncs CUDA's sync debug mode reports while on (`with`, or `on`/`off`); `count` is None on the CPU"
    def __init__(self, device): self.cuda, self.n, self.sites, self._cm = device.type == 'cuda', 0, {}, None
    def on(self):
        if not self.cuda or self._cm is not None: return
        self._cm = warnings.catch_warnings(record=True)
        self._rec = self._cm.__enter__()
        warnings.simplefilter('always')
        torch.cuda.set_sync_debug_mode('warn')
    def off(self):
        if self._cm is None: return
        torch.cuda.set_sync_debug_mode(0)
        for w in self._rec:
            if SYNC in str(w.message):
                self.n += 1; site = f'{Path(w.filename).name}:{w.lineno}'; self.sites[site] = self.sites.get(site, 0) + 1
        self._cm.__exit__(None, None, None); self._cm = None
    __enter__, __exit__ = lambda self: self.on() or self, lambda self, *a: self.off()
    @property
    def count(self): return self.n if self.cuda else None

def methods()->dict:
    "name -> (function, callback, options): every per-batch path of fastmix's public API"
    from fastmix import mixup_batch, cutmix_batch, cutmixup_batch, MixUp, CutMix, CutMixUp
    mu, cm, cmu = (mixup_batch, MixUp), (cutmix_batch, CutMix), (cutmixup_batch, CutMixUp)
    ms = {'MixUp': (*mu, {}), 'MixUp p=.5': (*mu, dict(p=.5)), 'MixUp p=.5 per sample': (*mu, dict(p=.5, per_sample=True)),
          'MixUp inplace': (*mu, dict(inplace=True))}
    for per, name in ((False, 'batch box'), (True, 'per-sample boxes')):
        for mode in ('paper', 'uniform', 'inside'): ms[f'CutMix {name} {mode}'] = (*cm, dict(box_mode=mode, per_sample=per))
        ms[f'CutMix {name} minmax'] = (*cm, dict(minmax=(.2, .8), per_sample=per))
        ms[f'CutMix {name} p=.5'] = (*cm, dict(p=.5, per_sample=per))
    ms['CutMix batch box inplace'] = (*cm, dict(inplace=True))
    for per, name in ((False, 'per batch'), (True, 'per sample')):
        ms[f'CutMixUp {name}'] = (*cmu, dict(per_sample=per))
        ms[f'CutMixUp {name} p=.5'] = (*cmu, dict(p=.5, per_sample=per))
    return ms

# the methods every kind of target runs with (index targets run with all of them)
ALL_TARGETS = ('MixUp', 'CutMix batch box paper', 'CutMix per-sample boxes paper', 'CutMixUp per sample')

def batch(kind:str, shape:tuple, C:int, device)->tuple:
    "Random inputs and targets of a kind"
    bs, hw = shape[0], shape[-2:]
    x = torch.randn(shape, device=device)
    if kind == 'index': y = torch.randint(0, C, (bs,), device=device)
    elif kind == 'one-hot': y = F.one_hot(torch.randint(0, C, (bs,), device=device), C).float()
    elif kind == 'multi-label': y = (torch.rand(bs, C, device=device) < .3).float()
    else: y = torch.randint(0, C, (bs, *hw), device=device)
    return x, y

def tiny_model(kind:str, C:int, device)->nn.Module:
    "A two-layer convnet: class scores, or a score per pixel for segmentation"
    head = [] if kind == 'segmentation' else [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, C, 1), *head).to(device)

def crit(kind:str):
    "The functional loss for a kind of target"
    return F.binary_cross_entropy_with_logits if kind == 'multi-label' else F.cross_entropy

def fastai_loss(kind:str):
    "The fastai loss a `Learner` trains with, for a kind of target"
    from fastai.losses import CrossEntropyLossFlat, BCEWithLogitsLossFlat
    return {'index': CrossEntropyLossFlat(), 'one-hot': nn.CrossEntropyLoss(), 'multi-label': BCEWithLogitsLossFlat(),
            'segmentation': CrossEntropyLossFlat(axis=1)}[kind]

def fn_steps(shape:tuple, device, C=10)->dict:
    "name -> step(counter) for the functional paths: each counts what it counts inside `with counter`"
    from fastmix import mixup_batch, cutmix_batch, MixUpLoss
    data = {k: (*batch(k, shape, C, device), tiny_model(k, C, device)) for k in TARGETS}
    def mix_step(fn, kw, kind):
        x, y, m = data[kind]
        def step(sc):
            with sc: mb = fn(x, y, **kw)
            pred = m(mb.x)
            with sc: mb.loss(crit(kind), pred).backward()
        return step
    steps = {}
    for name, (fn, _, kw) in methods().items():
        for kind in (TARGETS if name in ALL_TARGETS else ('index',)): steps[f'fn: {name} / {kind}'] = mix_step(fn, kw, kind)
    def no_mixing(sc):
        x, y, m = data['index']
        with sc: F.cross_entropy(m(x), y).backward()
    steps['fn: no mixing / index'] = no_mixing
    def targets(kind):
        x, y, _ = data[kind]
        def step(sc):
            for mb in (mixup_batch(x, y), cutmix_batch(x, y, per_sample=True)):
                with sc: mb.targets(num_classes=C) if kind == 'index' else mb.targets()
        return step
    for kind in ('index', 'one-hot', 'multi-label'): steps[f'fn: MixedBatch.targets() / {kind}'] = targets(kind)
    def mixup_loss(kind):
        x, y, m = data[kind]
        ml = MixUpLoss(crit(kind))
        def step(sc):
            mb = cutmix_batch(x, y, per_sample=True)
            pred = m(mb.x)
            with sc: ml(pred, mb.y, mb.y1, mb.lam).backward()
        return step
    for kind in ('index', 'multi-label'): steps[f'fn: MixUpLoss / {kind}'] = mixup_loss(kind)
    try:
        from timm.data import Mixup
        x, y, _ = data['index']
        mix = Mixup(mixup_alpha=.4, label_smoothing=0., num_classes=C)
        def timm_step(sc):
            with sc: mix(x, y)
        if shape[0] % 2 == 0: steps['fn: timm Mixup / index'] = timm_step
    except ImportError: pass
    return steps

def count_fn(step, device, warm=2, n=2):
    "Host syncs of `n` calls of `step` after `warm` uncounted ones"
    for _ in range(warm): step(contextlib.nullcontext())
    sc = SyncCount(device)
    for _ in range(n): step(sc)
    return sc

def sync_gates(counter, order:float, warm:int)->list:
    "Callbacks that switch `counter` on around the mixing callback's `before_batch` (at `order`), the loss and the backward"
    from fastai.callback.core import Callback
    class Gate(Callback):
        run_valid = False
        def __init__(self, order, on=(), off=()): self.order, self.evs_on, self.evs_off = order, on, off
        def __call__(self, ev):
            if ev in self.evs_off or ev == 'after_fit': counter.off()
            elif ev in self.evs_on and self.learn.training and self.learn.iter >= warm: counter.on()
    big = 1e9
    return [Gate(order - .5, on=('before_batch',)), Gate(order + .5, off=('before_batch',)),   # just around the mixing callback
            Gate(big, on=('after_pred', 'before_backward')), Gate(-big, off=('after_loss', 'after_backward'))]   # the loss, the backward

def count_cb(make_cb, kind:str, shape:tuple, device, C=10, warm=2, n=4):
    "Host syncs of the callback `make_cb()` (or of none) while a `Learner` trains a tiny model for `warm + n` batches"
    from fastai.data.core import DataLoaders
    from fastai.learner import Learner
    import fastai.callback.progress    # noqa: F401 (`Learner.no_bar`)
    bs = shape[0]
    def ds(k):
        x, y = batch(kind, (bs * k, *shape[1:]), C, 'cpu')
        return list(zip(x, y))
    dls = DataLoaders.from_dsets(ds(warm + n), ds(1), bs=bs, device=device, num_workers=0)
    cb = make_cb()
    sc = SyncCount(device)
    learn = Learner(dls, tiny_model(kind, C, device), loss_func=fastai_loss(kind),
                    cbs=[*([cb] if cb is not None else []), *sync_gates(sc, getattr(cb, 'order', 0), warm)])
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
    return sc

def cb_makers()->dict:
    "name -> (function making the callback, target kinds)"
    mk = {f'cb: {name}': ((lambda c=cls, kw=kw: c(**kw)), TARGETS if name in ALL_TARGETS else ('index',))
          for name, (_, cls, kw) in methods().items()}
    from fastmix import MixUp
    mk['cb: MixUp off_pct=.5'] = (lambda: MixUp(off_pct=.5), ('index',))
    mk['cb: no mixing'] = (lambda: None, ('index',))
    try:
        from fastai.callback.mixup import MixUp as FMixUp, CutMix as FCutMix
        mk['cb: fastai MixUp'], mk['cb: fastai CutMix'] = (lambda: FMixUp(.4), ('index',)), (lambda: FCutMix(1.), ('index',))
    except ImportError: pass
    return mk

def syncs(cfg, device, res):
    "Part 1: count the host syncs of every path"
    cuda = device.type == 'cuda'
    if not cuda: res['notes'].append('syncs: the CPU has no sync debug mode; the paths ran, their counts are null')
    out, sites = res['syncs'], res['sync_sites']
    def record(name, sc_fn):
        try:
            scs = sc_fn()
            out[name] = None if not cuda else sum(s.n for s in scs)
            for s in scs:
                for k, v in s.sites.items(): d = sites.setdefault(name, {}); d[k] = d.get(k, 0) + v
        except Exception as e:
            out[name] = None; res['errors'][name] = f'{type(e).__name__}: {str(e).splitlines()[0][:200]}'
            print(f'{name} fails:\n{traceback.format_exc()}')
    steps = {}
    for shape in cfg['sync_shapes']:                  # the functional paths, at every size (summed)
        for name, step in fn_steps(shape, device).items(): steps.setdefault(name, []).append(step)
    warm, n = cfg['sync_calls']                     # uncounted, then counted calls (or batches)
    for name, ss in steps.items(): record(name, lambda ss=ss: [count_fn(s, device, warm, n) for s in ss])
    if (err := import_error('fastai.learner')) is not None:
        res['notes'].append(f'syncs: fastai is missing ({err}): the callback paths and fastai\'s MixUp and CutMix were skipped')
    else:
        for name, (make, kinds) in cb_makers().items():
            for kind in kinds: record(f'{name} / {kind}', lambda make=make, kind=kind: [count_cb(make, kind, cfg['cb_shape'], device, warm=warm, n=n)])
    print(f"\nhost syncs ({'counted' if cuda else 'not counted on the CPU'}): {len(out)} paths")
    for name, n in out.items():
        where = ', '.join(f'{k} x{v}' for k, v in sites.get(name, {}).items())
        print(f"{name:<58}{'-' if n is None else n:>6}  {where}")

# ---------------------------------------------------------------- 2. kernels, 3. steps
def fails(res, what:str, err:str):
    "A row that failed: an error if it is fastmix's, a note if a peer's (e.g. fastai's MixUp takes no bfloat16 batch)"
    if 'fastmix' in what or what.startswith('step: no mixing'): res['errors'][what] = err
    else: res['notes'].append(f'{what} fails: {err}')

def kernels(cfg, device, res):
    "Part 2: `bench_mix.py`'s cases at every shape and dtype, timed between CUDA events"
    for shape, dtype in cfg['kernel_shapes']:
        rows, errors = bench_mix.bench(shape, dtype, device, cfg['reps'], peers=True, events=True)
        bench_mix.report(shape, dtype, rows, errors)
        for r in rows:
            res['kernels'].append(dict(name=r['name'], shape=list(shape), dtype=str(dtype).replace('torch.', ''), median_us=r['median_us'],
                                       x_floor=r['ratio_add'], x_same_kind=r['ratio_same_kind'], job=r['job']))
        for n, e in errors.items(): fails(res, f"kernel: {n}, {'x'.join(map(str, shape))} {str(dtype).replace('torch.', '')}", e)

def steps(cfg, device, res):
    "Part 3: `bench_train.py`'s variants on each model"
    if device.type == 'cuda': torch.backends.cudnn.benchmark = True
    for arch, bs, px, nc in cfg['models']:
        rows, errors = bench_train.bench(arch, bs, px, nc, device, cfg['rounds'], cfg['steps'], warm=cfg['warm'])
        bench_train.report(arch, bs, px, rows, errors)
        for r in rows:
            res['steps'].append(dict(model=f'{arch} bs{bs} {px}px', variant=r['name'], median_ms=r['median_ms'], overhead_pct=(r['ratio'] - 1) * 100))
        for n, e in errors.items(): fails(res, f'step: {n}, {arch} bs{bs} {px}px', e)

# ---------------------------------------------------------------- the table
def checks(res, cfg, dry:bool)->list:
    "(check, value, target, result) rows: each part's results against the issue's targets"
    rows, na = [], 'n/a (dry run)'
    verdict = lambda ok: na if dry else 'ok' if ok else 'FAIL'
    s, cpu = res['syncs'], not res['device'].startswith('cuda')
    kind = lambda k: 'control' if 'no mixing' in k else 'fastai' if 'fastai ' in k else 'timm' if 'timm ' in k else 'fastmix'
    fm = {k: v for k, v in s.items() if kind(k) == 'fastmix'}
    if fm:
        bad = {k: v for k, v in fm.items() if v}
        worst = max(bad, key=bad.get, default=None)
        value = '-' if cpu else f'{len(bad)} sync, most {bad[worst]}: {worst}' if bad else '0 on every one'
        rows.append((f'syncs: {len(fm)} fastmix paths', value, '0', 'n/a (cpu)' if cpu else 'FAIL' if bad or None in fm.values() else 'ok'))
    aim = {'control': ('0 (model, loss alone)', lambda n: n == 0), 'fastai': ('> 0 (the count works)', lambda n: n > 0), 'timm': ('peer: for reference', None)}
    for k, v in s.items():
        if kind(k) == 'fastmix': continue
        t, ok = aim[kind(k)]
        rows.append((f'syncs: {k}', '-' if v is None else str(v), t, 'n/a (cpu)' if cpu else '-' if ok is None or v is None else 'ok' if ok(v) else 'FAIL'))
    ks = res['kernels']
    if ks:
        shape0 = cfg['kernel_shapes'][0][0]
        for r in ks:
            if r['name'] == 'fastmix MixUp' and tuple(r['shape']) == shape0:
                rows.append((f"kernel: MixUp / add floor, {'x'.join(map(str, r['shape']))} {r['dtype']}", f"{r['x_floor']:.2f}x", '<= 1.5x', verdict(r['x_floor'] <= 1.5)))
        for shape, dtype in cfg['kernel_shapes']:
            dt = str(dtype).replace('torch.', '')
            fm = [r for r in ks if r['name'].startswith('fastmix') and tuple(r['shape']) == shape and r['dtype'] == dt and r['x_same_kind'] is not None]
            if not fm: continue
            w = max(fm, key=lambda r: r['x_same_kind'])
            rows.append((f"kernel: slowest fastmix / same-kind peer, {'x'.join(map(str, shape))} {dt}", f"{w['x_same_kind']:.2f}x ({w['name'][8:]})",
                         '< 1x', verdict(w['x_same_kind'] < 1)))
    st = res['steps']
    for i, model in enumerate(dict.fromkeys(r['model'] for r in st)):
        ov = {r['variant']: r['overhead_pct'] for r in st if r['model'] == model}
        for v, (target, timm) in STEP_TARGETS.items():
            if v not in ov: continue
            if i == 0: rows.append((f'step: {model} {v[8:]}', f'{ov[v]:+.2f}%', f'<= {target:g}%', verdict(ov[v] <= target)))
            peers = [ov[t] for t in timm if t in ov]
            if peers: rows.append((f'step: {model} {v[8:]} - best timm', f'{ov[v] - min(peers):+.2f} pts', '<= 0', verdict(ov[v] <= min(peers))))
    return rows

def print_table(rows, res, dry:bool):
    "The short table printed last: notes, errors, and each check against its target"
    w = max([len(r[0]) for r in rows] + [20])
    print(f"\ngpu_check summary: {res['device']}, torch {res['torch']}, {res['date']}" + (' -- DRY RUN on the CPU: no timing claims' if dry else ''))
    for n in res['notes']: print(f'note: {n}')
    if res['errors']: print(f"errors: {len(res['errors'])} (see the log): " + '; '.join(list(res['errors'])[:5]))
    if not rows: print('(no results)')
    print(f"{'check':<{w}}  {'value':<36}{'target':<24}result")
    for c, v, t, r in rows: print(f'{c:<{w}}  {v:<36}{t:<24}{r}')

class Tee:
    "Write to several streams at once (the terminal and the log)"
    def __init__(self, *fs): self.fs = fs
    def write(self, s):
        for f in self.fs: f.write(s)
    def flush(self):
        for f in self.fs: f.flush()

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--dry-run', action='store_true', help='every part on the CPU at tiny sizes, no timing claims')
    p.add_argument('--out', default='bench/results/gpu.json', help='where to write the JSON; the log goes beside it as gpu.log')
    p.add_argument('--parts', default='syncs,kernels,steps', help='comma-separated parts to run')
    p.add_argument('--device', default=None, help="default: 'cpu' for a dry run, else 'cuda'")
    for k, h in (('reps', 'timed calls of each kernel'), ('rounds', 'shuffled rounds of training steps'), ('steps', 'steps per variant in a round')):
        p.add_argument(f'--{k}', type=int, default=None, help=f"{h} (default {GPU[k]}; dry run {DRY[k]})")
    a = p.parse_args(argv)
    dev = torch.device(a.device or ('cpu' if a.dry_run else 'cuda'))
    cfg = {**(DRY if a.dry_run else GPU), **{k: getattr(a, k) for k in ('reps', 'rounds', 'steps') if getattr(a, k)}}
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    name = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else f'cpu ({platform.processor() or platform.machine()})'
    res = dict(device=f'{dev.type}: {name}', torch=torch.__version__, date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
               dry_run=a.dry_run, syncs={}, sync_sites={}, kernels=[], steps=[], notes=[], errors={}, seconds={})
    for mod in ('fastai', 'timm', 'torchvision'):
        if (err := import_error(mod)) is not None: res['notes'].append(f'{mod} is missing ({err}): its rows were skipped')
    fm_err = import_error('fastmix')
    if fm_err is not None: res['notes'].append(f'fastmix does not import ({fm_err}): every part was skipped')
    with open(out.with_name('gpu.log'), 'w') as log, contextlib.redirect_stdout(Tee(sys.stdout, log)):
        print(f"gpu_check{' --dry-run' if a.dry_run else ''} on {res['device']}, torch {res['torch']}, python {platform.python_version()}")
        for part in a.parts.split(','):
            if fm_err is not None: break
            t0 = time.perf_counter()
            try: {'syncs': syncs, 'kernels': kernels, 'steps': steps}[part](cfg, dev, res)
            except Exception as e:
                res['errors'][part] = f'{type(e).__name__}: {str(e).splitlines()[0][:200]}'
                print(f'part {part} fails:\n{traceback.format_exc()}')
            res['seconds'][part] = round(time.perf_counter() - t0, 1)
            print(f'\n[{part}: {res["seconds"][part]} s]')
        total = res['seconds']['total'] = round(time.perf_counter() - T0, 1)
        res['checks'] = checks(res, cfg, a.dry_run) + [('time: the whole check', f'{total:.0f} s', '< 480 s', 'n/a (dry run)' if a.dry_run else 'ok' if total < 480 else 'FAIL')]
        out.write_text(json.dumps(res, indent=1))
        print(f'\nwrote {out} and {out.with_name("gpu.log")}')
        print_table(res['checks'], res, a.dry_run)
    return res

if __name__ == '__main__': main()
