"""Time one mixing step of fastmix and of its peers, against two memory-traffic floors measured in the same run.

    python bench/bench_mix.py            # every shape and dtype (a few minutes on 2 CPU cores)
    python bench/bench_mix.py --quick    # (64,3,32,32) and (64,3,224,224), float32 and bfloat16: under a minute
    python bench/bench_mix.py --json out.json --device cuda
    python bench/bench_mix.py --quick --own-loop   # also each method in a loop of its own (no neighbours' page faults)
    python bench/bench_mix.py --quick --before /tmp/fastmix-0.1   # also an older checkout's fastmix, side by side
    python bench/bench_mix.py --quick --no-compile   # without the compile=True rows (each compiles its kernel first)

On the CPU it re-runs itself with a caching allocator, as PyTorch's CPU performance tuning guide advises: jemalloc with
`MALLOC_CONF` set to keep freed memory for reuse, or tcmalloc, found in the usual library folders; without
either, glibc's malloc told never to hand large blocks back to the system (`MALLOC_MMAP_THRESHOLD_`,
`MALLOC_TRIM_THRESHOLD_`). Without any of them every batch-sized result is fresh memory from the operating system,
whose page faults cost about as much as the mix itself. `--allocator none` skips this. On a GPU PyTorch's own caching
allocator does that job.

Floors: `add` is `torch.add(a, b, out=c)` on preallocated tensors of the batch's size (two reads and one write, the
least traffic an out-of-place mix needs); `lerp` is the minimal out-of-place `x.lerp(x[perm], w)`. Every method runs
interleaved with the others in one process (a shuffled round-robin); the table gives median times, and ratios as the
median over rounds of (method time / other time in the same round), so that slow drifts of a shared machine cancel.
`/ best peer` compares with the fastest peer doing the same job; `/ same kind` with the fastest one that also writes the
same way: into a new tensor, or into its input (timm's modes and fastai's CutMix do; fastmix's `inplace=True` rows
do), since a paste into the input skips the copy of the batch that an out-of-place mix must make. Peers that
are not installed (fastai, timm, torchvision) are skipped. Peak extra memory is counted by watching every allocation
the step makes (a TorchDispatchMode), in units of the batch's size; not for the `compile=True` rows, which can't run under it.
"""
import argparse, importlib.util, json, os, platform, random, statistics, sys, time, warnings, weakref
from pathlib import Path
from types import SimpleNamespace
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

warnings.filterwarnings('ignore')

ALLOCATORS = ('libjemalloc.so.2', 'libjemalloc.so', 'libtcmalloc_minimal.so.4', 'libtcmalloc.so.4')
LIB_DIRS = ('/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib')

JEMALLOC_CONF = 'dirty_decay_ms:-1,muzzy_decay_ms:-1'   # jemalloc keeps freed pages for reuse, never purges them (the tuning guide's intent)
GLIBC_KEEP = {'MALLOC_MMAP_THRESHOLD_': str(1 << 32), 'MALLOC_TRIM_THRESHOLD_': str(1 << 40)}   # never return memory

def find_allocator():
    "The path of a caching allocator library (jemalloc or tcmalloc), or None"
    return next((str(Path(d)/n) for n in ALLOCATORS for d in LIB_DIRS if (Path(d)/n).exists()), None)

def allocator_env(lib)->dict:
    "The environment that makes the CPU allocator keep freed memory: `lib` preloaded (jemalloc configured), else glibc's settings"
    if lib is None: return dict(GLIBC_KEEP)
    return {'LD_PRELOAD': lib, **({'MALLOC_CONF': JEMALLOC_CONF} if 'jemalloc' in lib else {})}

def load_before(folder:str):
    "Import the fastmix package of another checkout as `fastmix_before` (its modules import each other relatively)"
    init = Path(folder)/'fastmix'/'__init__.py'
    spec = importlib.util.spec_from_file_location('fastmix_before', init, submodule_search_locations=[str(init.parent)])
    mod = importlib.util.module_from_spec(spec); sys.modules['fastmix_before'] = mod; spec.loader.exec_module(mod)
    return mod

def _sync(device):
    if device.type == 'cuda': torch.cuda.synchronize(device)

class AllocTracker(TorchDispatchMode):
    "Peak bytes of tensors allocated (not views) while active and still alive"
    def __init__(self): super().__init__(); self.live = self.peak = 0
    def _free(self, n): self.live -= n
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        ins = {t.untyped_storage().data_ptr() for t in tree_flatten((args, kwargs))[0] if isinstance(t, torch.Tensor)}
        for t in tree_flatten(out)[0]:
            if isinstance(t, torch.Tensor) and t.device.type != 'meta' and t.untyped_storage().data_ptr() not in ins:
                n = t.untyped_storage().nbytes()
                if n:
                    self.live += n; self.peak = max(self.peak, self.live)
                    weakref.finalize(t, self._free, n)
        return out

def peak_extra(fn)->int:
    "Peak bytes the call allocates beyond its inputs (its result included)"
    with AllocTracker() as tr: res = fn()
    del res
    return tr.peak

def cases(x, y, device, peers=True, before=None, compiled=True):
    "name -> (job, callable) for one batch; `before`: an older fastmix package, timed beside this one; `compiled`: add `compile=True` rows"
    from fastmix import mixup_batch, cutmix_batch, cutmixup_batch
    bs = x.shape[0]
    a, b, c = torch.randn_like(x), torch.randn_like(x), torch.empty_like(x)
    perm, w = torch.randperm(bs, device=device), torch.rand(bs, 1, 1, 1, device=device).to(x.dtype)
    cs = {
        'floor: add(a, b, out=c)': ('floor', lambda: torch.add(a, b, out=c)),
        'floor: x.lerp(x[perm], w)': ('floor', lambda: x.lerp(x[perm], w)),
        'fastmix MixUp': ('MixUp', lambda: mixup_batch(x, y)),
        'fastmix CutMix (batch box)': ('CutMix batch box', lambda: cutmix_batch(x, y)),
        'fastmix CutMix (per-sample boxes)': ('CutMix per-sample boxes', lambda: cutmix_batch(x, y, per_sample=True)),
        'fastmix CutMixUp (per sample)': ('CutMixUp per sample', lambda: cutmixup_batch(x, y, per_sample=True)),
        # in place, as timm's batch modes always work (the batch is overwritten; its values stay a mix of the batch's own)
        'fastmix MixUp, inplace': ('MixUp', lambda: mixup_batch(x, y, inplace=True)),
        'fastmix CutMix (batch box), inplace': ('CutMix batch box', lambda: cutmix_batch(x, y, inplace=True)),
    }
    if compiled:   # one kernel compiled by torch.compile, out of place (one box per batch is a slice either way)
        cs.update({
            'fastmix MixUp, compiled': ('MixUp', lambda: mixup_batch(x, y, compile=True)),
            'fastmix CutMix (per-sample boxes), compiled': ('CutMix per-sample boxes', lambda: cutmix_batch(x, y, per_sample=True, compile=True)),
            'fastmix CutMixUp (per sample), compiled': ('CutMixUp per sample', lambda: cutmixup_batch(x, y, per_sample=True, compile=True)),
        })
    if before is not None:
        fb = before
        cs.update({
            'before: MixUp': ('MixUp', lambda: fb.mixup_batch(x, y)),
            'before: CutMix (batch box)': ('CutMix batch box', lambda: fb.cutmix_batch(x, y)),
            'before: CutMix (per-sample boxes)': ('CutMix per-sample boxes', lambda: fb.cutmix_batch(x, y, per_sample=True)),
            'before: CutMixUp (per sample)': ('CutMixUp per sample', lambda: fb.cutmixup_batch(x, y, per_sample=True)),
        })
    if not peers: return cs
    try:
        from fastai.callback.mixup import MixUp as FMixUp, CutMix as FCutMix
        from fastai.losses import CrossEntropyLossFlat
        def fastai_step(cls, alpha):
            cb = cls(alpha)
            learn = SimpleNamespace(loss_func=CrossEntropyLossFlat(), xb=(x,), yb=(y,))
            cb.learn = learn
            cb.before_train()
            def step():
                learn.xb, learn.yb = (x,), (y,)
                learn.x, learn.y = x, y
                cb.before_batch()
                return learn.xb
            return step
        cs['fastai MixUp'] = ('MixUp', fastai_step(FMixUp, 0.4))
        cs['fastai CutMix'] = ('CutMix batch box', fastai_step(FCutMix, 1.))
    except ImportError: pass
    try:
        from timm.data import Mixup
        if bs % 2 == 0:
            tm = dict(label_smoothing=0., num_classes=10)
            cs['timm Mixup batch'] = ('MixUp', lambda m=Mixup(mixup_alpha=.4, mode='batch', **tm): m(x, y))
            cs['timm Mixup elem'] = ('MixUp', lambda m=Mixup(mixup_alpha=.4, mode='elem', **tm): m(x, y))
            cs['timm CutMix batch'] = ('CutMix batch box', lambda m=Mixup(mixup_alpha=0., cutmix_alpha=1., mode='batch', **tm): m(x, y))
            cs['timm CutMix elem'] = ('CutMix per-sample boxes', lambda m=Mixup(mixup_alpha=0., cutmix_alpha=1., mode='elem', **tm): m(x, y))
            cs['timm Mixup+CutMix elem'] = ('CutMixUp per sample', lambda m=Mixup(mixup_alpha=.4, cutmix_alpha=1., mode='elem', **tm): m(x, y))
    except ImportError: pass
    try:
        from torchvision.transforms import v2
        cs['torchvision MixUp'] = ('MixUp', lambda m=v2.MixUp(alpha=.4, num_classes=10): m(x, y))
        cs['torchvision CutMix'] = ('CutMix batch box', lambda m=v2.CutMix(alpha=1., num_classes=10): m(x, y))
    except ImportError: pass
    return cs

def timed(fn, device, events=False)->float:
    "Seconds one call of `fn` takes: between two CUDA events with `events` on a GPU (the device's time), else between two synchronisations"
    if events and device.type == 'cuda':
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record(); fn(); e.record(); e.synchronize()
        return s.elapsed_time(e) / 1e3
    _sync(device); t0 = time.perf_counter(); fn(); _sync(device)
    return time.perf_counter() - t0

def bench(shape, dtype, device, reps, peers=True, seed=0, own_loop=False, before=None, events=False, compiled=True):
    torch.manual_seed(seed); random.seed(seed)
    x = torch.randn(shape, device=device).to(dtype)
    y = torch.randint(0, 10, (shape[0],), device=device)
    cs = cases(x, y, device, peers, before, compiled)
    ok, errors = {}, {}
    for name, (job, fn) in cs.items():                      # warm up; note who fails
        try:
            for _ in range(3): fn()
            _sync(device); ok[name] = job
        except Exception as e: errors[name] = f'{type(e).__name__}: {str(e).splitlines()[0][:80]}'
    times = {n: [] for n in ok}
    names = list(ok)
    for _ in range(reps):
        random.shuffle(names)
        for n in names: times[n].append(timed(cs[n][1], device, events))
    own = {}
    if own_loop:          # each method in a loop of its own, right after the add floor in a loop of its own
        add = cs['floor: add(a, b, out=c)'][1]
        def loop(fn):
            tt = []
            for _ in range(reps):
                _sync(device); t0 = time.perf_counter(); r = fn(); _sync(device); tt.append(time.perf_counter() - t0); del r
            return statistics.median(tt)
        for n in ok: own[n] = loop(cs[n][1]) / loop(add)
    nbytes = x.numel() * x.element_size()
    rows = []
    for n in ok:
        # a compiled kernel can't run under the dispatch mode that counts allocations (torch runs it eagerly there): not counted
        mem = peak_extra(cs[n][1]) / nbytes if device.type != 'cuda' and not n.endswith(', compiled') else None
        rows.append(dict(name=n, job=ok[n], median_us=statistics.median(times[n]) * 1e6, peak_extra_batches=mem, ratio_add_own_loop=own.get(n),
                         times_us=[t * 1e6 for t in times[n]]))
    return rows, errors

def paired(a:list, b:list)->float:
    "Median over rounds of `a / b` timed in the same round: slow drifts of the machine (other tenants, clocks) cancel"
    return statistics.median(x / y for x, y in zip(a, b))

IN_PLACE = ('timm ', 'fastai CutMix')   # peers that write the mix into their input (timm: every mode; fastai: CutMix)

def in_place(name:str)->bool:
    "Whether the method overwrites its input: fastmix's `inplace=True` rows and the peers in `IN_PLACE`"
    return name.endswith(', inplace') or name.startswith(IN_PLACE)

def report(shape, dtype, rows, errors):
    ts = {r['name']: r.pop('times_us') for r in rows}
    add, lerp = ts['floor: add(a, b, out=c)'], ts['floor: x.lerp(x[perm], w)']
    best, same = {}, {}      # job (and, for `same`, in place or not) -> (median, times) of the fastest peer doing it
    for r in rows:
        if r['name'].startswith(('fastmix', 'floor', 'before')): continue
        for d, k in ((best, r['job']), (same, (r['job'], in_place(r['name'])))):
            if r['median_us'] < d.get(k, (float('inf'),))[0]: d[k] = (r['median_us'], ts[r['name']])
    print(f"\n{tuple(shape)} {str(dtype).replace('torch.', '')}")
    own = any(r.get('ratio_add_own_loop') for r in rows)
    print(f"{'method':<46}{'median us':>11}{'/ add':>8}{'/ lerp':>8}{'/ best peer':>12}{'/ same kind':>12}{'peak mem':>10}" + (f"{'/ add, own loop':>17}" if own else ''))
    for r in rows:
        r['ratio_add'], r['ratio_lerp'] = paired(ts[r['name']], add), paired(ts[r['name']], lerp)
        fm = r['name'].startswith(('fastmix', 'before'))
        peer, kind = best.get(r['job']), same.get((r['job'], in_place(r['name'])))
        r['ratio_best_peer'] = paired(ts[r['name']], peer[1]) if peer and fm else None
        # the fastest peer that writes the same way (into a new tensor, or into its input); None where no peer does
        r['ratio_same_kind'] = paired(ts[r['name']], kind[1]) if kind and fm else None
        mem = '-' if r['peak_extra_batches'] is None else f"{r['peak_extra_batches']:.2f}x"
        bp = '' if r['ratio_best_peer'] is None else f"{r['ratio_best_peer']:.2f}"
        sk = '' if r['ratio_same_kind'] is None else f"{r['ratio_same_kind']:.2f}"
        ol = f"{r['ratio_add_own_loop']:>17.2f}" if own and r.get('ratio_add_own_loop') else ''
        print(f"{r['name']:<46}{r['median_us']:>11.0f}{r['ratio_add']:>8.2f}{r['ratio_lerp']:>8.2f}{bp:>12}{sk:>12}{mem:>10}{ol}")
    for n, e in errors.items(): print(f"{n:<46} fails: {e}")

def scaling(device, reps=15, sizes=(8, 16, 32, 64, 128, 256), hw=32):
    "Median time per call against batch size, and the least-squares fit `time = fixed + per_sample * bs`"
    from fastmix import mixup_batch, cutmix_batch, cutmixup_batch
    fns = {'MixUp': lambda x, y: mixup_batch(x, y), 'CutMix (batch box)': lambda x, y: cutmix_batch(x, y),
           'CutMix (per-sample boxes)': lambda x, y: cutmix_batch(x, y, per_sample=True),
           'CutMixUp (per sample)': lambda x, y: cutmixup_batch(x, y, per_sample=True),
           # the least a per-sample mix can do: draw partners and weights, gather, blend
           'floor: randperm+rand+lerp': lambda x, y: x.lerp(x[torch.randperm(len(x), device=x.device)],
                                                           torch.rand(len(x), 1, 1, 1, device=x.device))}
    try:
        from timm.data import Mixup
        tm = dict(label_smoothing=0., num_classes=10)
        fns['timm Mixup batch'] = lambda x, y, m=Mixup(mixup_alpha=.4, mode='batch', **tm): m(x.clone(), y)   # clone: timm writes into x
        fns['timm CutMix batch'] = lambda x, y, m=Mixup(mixup_alpha=0., cutmix_alpha=1., mode='batch', **tm): m(x.clone(), y)
    except ImportError: pass
    print(f"\nscaling: (bs, 3, {hw}, {hw}) float32, median us per call")
    print(f"{'method':<28}" + ''.join(f'{b:>8}' for b in sizes) + f"{'fixed us':>10}{'us/sample':>11}{'max resid':>10}")
    out = {}
    for name, fn in fns.items():
        ts = []
        for bs in sizes:
            x, y = torch.randn(bs, 3, hw, hw, device=device), torch.randint(0, 10, (bs,), device=device)
            for _ in range(3): fn(x, y)
            tt = []
            for _ in range(reps):
                _sync(device); t0 = time.perf_counter(); fn(x, y); _sync(device); tt.append(time.perf_counter() - t0)
            ts.append(statistics.median(tt) * 1e6)
        n = len(sizes); mx, my = sum(sizes)/n, sum(ts)/n
        slope = sum((b - mx)*(t - my) for b, t in zip(sizes, ts)) / sum((b - mx)**2 for b in sizes)
        fixed = my - slope*mx
        resid = max(abs(t - (fixed + slope*b)) / t for b, t in zip(sizes, ts))
        print(f"{name:<28}" + ''.join(f'{t:>8.0f}' for t in ts) + f"{fixed:>10.0f}{slope:>11.2f}{resid:>10.0%}")
        out[name] = dict(sizes=list(sizes), median_us=ts, fixed_us=fixed, us_per_sample=slope, max_rel_residual=resid)
    return out

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true', help='two shapes, fewer repeats: under a minute')
    p.add_argument('--reps', type=int, default=None, help='timed repeats per method (default 30, quick 15)')
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--before', default=None, metavar='CHECKOUT', help="also time another checkout's fastmix (e.g. a `git worktree` of 0.1), side by side")
    p.add_argument('--allocator', default='auto', help="CPU only: 'auto' (jemalloc or tcmalloc if found, else glibc kept from returning memory), 'glibc', 'none', or a library path")
    p.add_argument('--no-compile', action='store_true', help='skip the compile=True rows (each compiles a kernel per shape and dtype first)')
    p.add_argument('--no-peers', action='store_true', help='fastmix and the floors only (the peers allocate a lot, which slows what runs next)')
    p.add_argument('--shapes', default=None, help='e.g. 64x3x32x32,8x3x16x16 (overrides the defaults)')
    p.add_argument('--json', default='bench/results.json', help='where to write the results')
    p.add_argument('--own-loop', action='store_true', help='also time each method in a loop of its own against the add floor in its own loop')
    p.add_argument('--events', action='store_true', help='on a GPU, time each call between CUDA events rather than host clocks')
    p.add_argument('--scaling', action='store_true', help='also time batch sizes 8..256 at 32 px: fixed cost and cost per sample')
    a = p.parse_args(argv)
    dev = torch.device(a.device)
    if dev.type == 'cpu' and a.allocator != 'none' and 'FASTMIX_BENCH_ALLOCATOR' not in os.environ and argv is None:
        env = allocator_env(None if a.allocator == 'glibc' else find_allocator() if a.allocator == 'auto' else a.allocator)
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **env, 'FASTMIX_BENCH_ALLOCATOR': ' '.join(f'{k}={v}' for k, v in env.items())})
    before = load_before(a.before) if a.before else None
    sizes = (32, 224) if a.quick else (32, 64, 128, 224)
    shapes = [tuple(int(v) for v in s.split('x')) for s in a.shapes.split(',')] if a.shapes else [(64, 3, s, s) for s in sizes]
    reps = a.reps or (15 if a.quick else 40)
    alloc = os.environ.get('FASTMIX_BENCH_ALLOCATOR') or 'as the environment set it'
    print(f"torch {torch.__version__} on {dev} ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads), allocator {alloc}")
    out = dict(torch=torch.__version__, device=str(dev), threads=torch.get_num_threads(), peers=not a.no_peers, allocator=alloc,
               before=a.before, results=[])
    for shape in shapes:
        for dt in (torch.float32, torch.bfloat16):
            rows, errors = bench(shape, dt, dev, reps, peers=not a.no_peers, own_loop=a.own_loop, before=before, events=a.events,
                                 compiled=not a.no_compile)
            report(shape, dt, rows, errors)
            out['results'].append(dict(shape=list(shape), dtype=str(dt), rows=rows, errors=errors))
    if a.scaling: out['scaling'] = scaling(dev)
    if a.json:
        with open(a.json, 'w') as f: json.dump(out, f, indent=1)
        print(f'\nwrote {a.json}')
    return out

if __name__ == '__main__': main()
