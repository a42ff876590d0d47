"README.md is checked against a fresh execution of nbs/index.ipynb: the check fails on what it should and only on that"
import importlib.util, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location('make_readme', ROOT/'tools'/'make_readme.py')
mr = importlib.util.module_from_spec(spec); spec.loader.exec_module(mr)

TABLE = """    epoch     train_loss  valid_loss  accuracy  time
    0         2.053667    2.410870    0.105850  00:06
    1         1.357112    0.762116    0.874652  00:01
"""

def test_float_noise_and_times_pass():
    noisy = TABLE.replace('2.053667', '2.053701').replace('0.874652', '0.871866').replace('00:06', '00:11')
    assert mr.differences(TABLE, TABLE) == [] and mr.differences(TABLE, noisy) == []

def test_stale_numbers_and_words_fail():
    stale = TABLE.replace('0.874652', '0.916435')          # the README once showed an accuracy its code no longer gave
    d = mr.differences(stale, TABLE)
    assert len(d) == 1 and "'0.916435'" in d[0] and "'0.874652'" in d[0], d
    assert mr.differences(TABLE, TABLE.replace('valid_loss', 'error_rate'))          # a changed word
    assert mr.differences(TABLE, TABLE + '    2   1.1   0.7   0.9   00:01\n')          # a missing row
    assert mr.differences('keeps 88% of', 'keeps 61% of') and not mr.differences('keeps 88% of', 'keeps 88% of')

def test_progress_bars_are_removed():
    raw = ('█\repoch     train_loss  time    \n█\r\rEpoch 1/3 : |█-----| 4.55% [1/22 00:00<00:01]\r'
           'Epoch 1/3 :                \r0         2.053667    00:06     \n')
    assert mr.clean_stream(raw) == 'epoch     train_loss  time    \n0         2.053667    00:06     \n'

def test_commands():
    cmds = mr.commands((ROOT/'README.md').read_text())
    assert cmds['demo'].endswith('fastmix-demo') and cmds['test'].endswith('pytest'), cmds
    assert 'pip install -e ".[dev]"' in cmds['test'] and 'nbdev' not in cmds['test']
    with pytest.raises(SystemExit): mr.commands('no commands here')

def test_readme_is_rendered_from_the_index_notebook():
    pytest.importorskip('nbconvert')
    assert mr.render() == (ROOT/'README.md').read_text(), 'README.md is out of date: run `python tools/make_readme.py`'
