import os
os.environ.setdefault('MPLBACKEND', 'Agg')   # notebooks draw figures; no screen here
