"""Does mixing help? No mixing, MixUp, CutMix and CutMixUp on scikit-learn's digits, over several seeds and two regimes.

    python bench/does_it_help.py                 # the full experiment (about 10 minutes on 2 CPU cores)
    python bench/does_it_help.py --quick         # a smoke run of a few seconds: 1 epoch, 2 seeds, tiny subsets
    python bench/does_it_help.py --out res.json  # where to write the results (default: bench/does_it_help.json)

Each run trains a fresh `fastmix.demo.small_cnn` with a fastai `Learner` and `fit_one_cycle`, the mixing coming from
fastmix's callbacks (`MixUp()`, `CutMix()`, `CutMixUp()` with their defaults). The digits (1,797 8x8 scans, shipped with
scikit-learn) are upsampled to 16x16 and split 1,400 / 397 with a fixed seed; the validation set is the same for every run.
Two regimes: `full` trains on the 1,400 training images, `low` on 300 of them (30 per class, a different subset for each
seed). For one seed, every condition starts from the same weights, sees the same subset and the same batch order (the
callbacks draw from their own seeded stream), so conditions can be compared seed by seed.

Per run it records the final validation accuracy, the validation NLL (cross entropy on the clean validation set), the
expected calibration error (15 equal-width confidence bins), the reliability-diagram data, the mean confidence, clean
training accuracy and NLL, and per-epoch curves (mean training loss, which is the mixed loss under mixing; validation
loss; validation accuracy). Everything goes to one JSON file with the settings and library versions.
"""
import argparse, json, os, platform, sys, time, warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

warnings.filterwarnings('ignore')
CONDITIONS = ('none', 'MixUp', 'CutMix', 'CutMixUp')
N_BINS = 15

def settings(quick:bool)->dict:
    "The experiment's settings; `quick` shrinks everything for a smoke run"
    if quick: return dict(size=16, bs=64, lr=1e-2, seeds=[0, 1], n_valid=397,
                          regimes={'full': dict(n_train=200, epochs=1), 'low': dict(n_train=100, epochs=1)})
    return dict(size=16, bs=64, lr=1e-2, seeds=[0, 1, 2, 3, 4], n_valid=397,
                regimes={'full': dict(n_train=1400, epochs=30), 'low': dict(n_train=300, epochs=60)})

def load_data(size:int=16):
    "Digits as normalised `size`x`size` float tensors, split 1,400 / 397 with a fixed permutation"
    import torch, torch.nn.functional as F
    from sklearn.datasets import load_digits
    d = load_digits()
    x = torch.tensor(d.images, dtype=torch.float32)[:, None] / 16
    x = F.interpolate(x, size=(size, size), mode='bilinear', align_corners=False)
    y = torch.tensor(d.target)
    split = torch.randperm(len(x), generator=torch.Generator().manual_seed(42))
    xt, yt, xv, yv = x[split[:1400]], y[split[:1400]], x[split[1400:]], y[split[1400:]]
    mean, std = xt.mean(), xt.std()
    return (xt - mean) / std, yt, (xv - mean) / std, yv

def train_subset(yt, n:int, seed:int):
    "Indices of `n` training images, the same number per class, drawn with `seed` (all of them if `n` >= len(yt))"
    import torch
    if n >= len(yt): return torch.arange(len(yt))
    g = torch.Generator().manual_seed(1000 + seed)
    per = n // 10
    idx = [torch.nonzero(yt == c).flatten() for c in range(10)]
    return torch.cat([i[torch.randperm(len(i), generator=g)[:per]] for i in idx]).sort().values

def make_cb(name:str, seed:int):
    "The condition's callback with its defaults, drawing from a stream of its own seeded with `seed`"
    from fastmix import MixUp, CutMix, CutMixUp
    return {'none': lambda: None, 'MixUp': lambda: MixUp(seed=seed), 'CutMix': lambda: CutMix(seed=seed),
            'CutMixUp': lambda: CutMixUp(seed=seed)}[name]()

def calibration(probs, y, n_bins:int=N_BINS)->dict:
    "ECE over `n_bins` equal-width bins of the top-class confidence, with each bin's confidence, accuracy and count"
    import torch
    conf, pred = probs.max(1)
    correct = (pred == y).float()
    edges = torch.linspace(0, 1, n_bins + 1)
    # bin b holds confidences in (edges[b], edges[b+1]]; a confidence of exactly 0 can't happen (it is >= 1/classes)
    b = torch.bucketize(conf, edges[1:-1], right=False)
    count = torch.bincount(b, minlength=n_bins).float()
    s_conf = torch.zeros(n_bins).index_add_(0, b, conf)
    s_acc = torch.zeros(n_bins).index_add_(0, b, correct)
    ece = ((s_conf - s_acc).abs().sum() / len(y)).item()   # sum_b n_b/N |conf_b - acc_b|
    nz = count > 0
    return dict(ece=ece, mean_confidence=conf.mean().item(),
                reliability=dict(lower=edges[:-1].tolist(), upper=edges[1:].tolist(), count=count.int().tolist(),
                                 confidence=[(s_conf[i] / count[i]).item() if nz[i] else None for i in range(n_bins)],
                                 accuracy=[(s_acc[i] / count[i]).item() if nz[i] else None for i in range(n_bins)]))

def run_one(job:tuple)->dict:
    "Train one (regime, condition, seed) and return its metrics and curves"
    regime, cond, seed, st = job
    import torch, torch.nn.functional as F
    torch.set_num_threads(1)
    from fastai.data.core import DataLoaders
    from fastai.data.load import DataLoader
    from fastai.learner import Learner
    from fastai.callback.core import Callback
    from fastai.callback.schedule import fit_one_cycle  # noqa: F401 (patches Learner)
    from fastai.losses import CrossEntropyLossFlat
    from fastai.metrics import accuracy
    from fastai.torch_core import set_seed
    from fastmix.demo import small_cnn

    class EpochLoss(Callback):
        "Mean training loss of each epoch (fastai's Recorder keeps a smoothed one)"
        order = 60
        def before_fit(self): self.losses = []
        def before_epoch(self): self.tot, self.n = 0., 0
        def after_batch(self):
            if self.training: bs = len(self.yb[0]); self.tot += self.loss.item() * bs; self.n += bs
        def after_epoch(self): self.losses.append(self.tot / max(self.n, 1))

    rg = st['regimes'][regime]
    xt, yt, xv, yv = load_data(st['size'])
    idx = train_subset(yt, rg['n_train'], seed)
    xt, yt = xt[idx], yt[idx]
    set_seed(seed, reproducible=True)                    # initialisation and batch order; the callback has its own stream
    dls = DataLoaders(DataLoader(list(zip(xt, yt)), bs=st['bs'], shuffle=True, drop_last=False),
                      DataLoader(list(zip(xv, yv)), bs=512))
    el = EpochLoss()
    learn = Learner(dls, small_cnn(1, 10), loss_func=CrossEntropyLossFlat(), metrics=accuracy, cbs=el)
    t0 = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(rg['epochs'], st['lr'], cbs=make_cb(cond, seed))
    secs = time.perf_counter() - t0
    learn.model.eval()
    with torch.no_grad(): lv, lt = learn.model(xv), learn.model(xt)
    probs = lv.softmax(1)
    vals = [list(map(float, v)) for v in learn.recorder.values]   # [smoothed train loss, valid loss, accuracy] per epoch
    return dict(regime=regime, condition=cond, seed=seed, n_train=len(yt), epochs=rg['epochs'],
                accuracy=(lv.argmax(1) == yv).float().mean().item(), nll=F.cross_entropy(lv, yv).item(),
                **calibration(probs, yv),
                train_accuracy=(lt.argmax(1) == yt).float().mean().item(), train_nll=F.cross_entropy(lt, yt).item(),
                curves=dict(train_loss=el.losses, valid_loss=[v[1] for v in vals], valid_accuracy=[v[2] for v in vals]),
                seconds=secs)

def summarise(runs:list)->dict:
    "Mean and sample std over seeds of accuracy, NLL and ECE, and the paired difference with 'none', per regime and condition"
    import statistics as S
    def ms(v): return dict(mean=S.fmean(v), std=S.stdev(v) if len(v) > 1 else 0.)
    out = {}
    for r in dict.fromkeys(x['regime'] for x in runs):
        out[r] = {}
        base = {x['seed']: x for x in runs if x['regime'] == r and x['condition'] == 'none'}
        for c in CONDITIONS:
            rs = sorted((x for x in runs if x['regime'] == r and x['condition'] == c), key=lambda x: x['seed'])
            out[r][c] = {k: ms([x[k] for x in rs]) for k in ('accuracy', 'nll', 'ece', 'mean_confidence')}
            out[r][c]['diff_vs_none'] = {k: ms([x[k] - base[x['seed']][k] for x in rs]) for k in ('accuracy', 'nll', 'ece')}
    return out

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true', help='smoke run: 1 epoch, 2 seeds, small subsets (a few seconds)')
    p.add_argument('--out', default=str(Path(__file__).with_name('does_it_help.json')), help='JSON file to write')
    p.add_argument('--jobs', type=int, default=None, help='worker processes, one thread each (default: 2, or 1 with --quick)')
    a = p.parse_args(argv)
    import torch, fastai, fastmix, sklearn
    st = settings(a.quick)
    if a.jobs is None: a.jobs = 1 if a.quick else 2
    jobs = [(r, c, s, st) for r in st['regimes'] for s in st['seeds'] for c in CONDITIONS]
    t0 = time.perf_counter()
    regimes = ', '.join(f"{r} ({v['n_train']} images, {v['epochs']} epochs)" for r, v in st['regimes'].items())
    print(f"{len(jobs)} runs: {regimes} x {len(CONDITIONS)} conditions x {len(st['seeds'])} seeds, {a.jobs} process(es)", flush=True)
    runs = []
    def done(res):
        runs.append(res)
        print(f"{res['regime']:<5}{res['condition']:<9} seed {res['seed']}  acc {res['accuracy']:.4f}  nll {res['nll']:.4f}  "
              f"ece {res['ece']:.4f}  {res['seconds']:.1f}s", flush=True)
    if a.jobs > 1:
        import multiprocessing as mp
        with ProcessPoolExecutor(a.jobs, mp_context=mp.get_context('spawn')) as ex:
            for res in ex.map(run_one, jobs): done(res)
    else:
        for j in jobs: done(run_one(j))
    total = time.perf_counter() - t0
    out = dict(
        description=__doc__.splitlines()[0],
        settings=dict(**st, quick=a.quick, conditions=list(CONDITIONS),
                      callbacks={'none': None, 'MixUp': 'MixUp(seed=seed)  # alpha=0.4', 'CutMix': 'CutMix(seed=seed)  # alpha=1., one box per batch',
                                 'CutMixUp': 'CutMixUp(seed=seed)  # mixup_alpha=0.4, cutmix_alpha=1., switch_p=0.5, per batch'},
                      model='fastmix.demo.small_cnn(1, 10): 3 conv-BN-ReLU blocks (16, 32, 64 channels), avg pool, linear; 24,058 parameters',
                      training='fastai Learner, CrossEntropyLossFlat, Adam (fastai defaults, wd=0.01), fit_one_cycle(epochs, lr)',
                      data="sklearn load_digits, bilinear upsampling 8x8 -> size x size, split 1400/397 (seed 42), "
                           "normalised with the training set's mean and std; 'low' takes n_train/10 images per class (seed 1000+seed)",
                      ece_bins=N_BINS, threads_per_process=1, jobs=a.jobs,
                      versions=dict(python=platform.python_version(), torch=torch.__version__, fastai=fastai.__version__,
                                    fastmix=getattr(fastmix, '__version__', None), sklearn=sklearn.__version__),
                      machine=f"{platform.machine()}, {os.cpu_count()} CPUs"),
        total_seconds=total, summary=summarise(runs),
        runs=sorted(runs, key=lambda x: (list(st['regimes']).index(x['regime']), CONDITIONS.index(x['condition']), x['seed'])))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    with open(a.out, 'w') as f: json.dump(out, f, indent=1)
    print(f"\n{'regime':<7}{'condition':<10}{'accuracy':>16}{'NLL':>16}{'ECE':>16}")
    for r, cs in out['summary'].items():
        for c, m in cs.items():
            print(f"{r:<7}{c:<10}" + ''.join(f"{m[k]['mean']:>9.4f} ± {m[k]['std']:.4f}" for k in ('accuracy', 'nll', 'ece')))
    print(f'wrote {a.out} ({total:.0f} s)')

if __name__ == '__main__': main()
