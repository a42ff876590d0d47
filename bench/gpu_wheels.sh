#!/usr/bin/env bash
# Save into bench/wheels/ (ignored by git) the wheels bench/gpu_check.py needs on the GPU machine, whose image has torch,
# torchvision and timm but not fastai: fastai and the packages its vision and callback modules import that the image
# lacks (fastprogress imports fasthtml, which imports starlette, itsdangerous, python-multipart and defusedxml; spacy
# is only for fastai.text and stays behind). The versions are those fastmix is tested with; the image runs Python 3.12
# on x86-64 (plum-dispatch is its one compiled wheel). The docstring of bench/gpu_check.py gives the `run` call.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
rm -rf wheels && mkdir wheels
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform any -d wheels \
  fastai==2.8.7 fastcore==1.14.5 fastdownload==0.0.8 fastprogress==1.1.6 fasttransform==0.0.2 \
  plum-dispatch==2.10.1 beartype==0.23.1 \
  python-fasthtml==0.14.5 starlette==1.10.0 itsdangerous==2.2.0 python-multipart==0.0.34 defusedxml==0.7.1
ls wheels
