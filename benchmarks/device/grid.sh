#!/bin/bash
# Launcher used on the lent GPU machine (2026-11-27): carry devrun/ (a copy of ../shared/data/fgrn in devrun/fgrn).
# Usage there: LIMIT=330 GW=10 CW=6 bash benchmarks/device/grid.sh; results come back as $OUT/cv.tgz.
# Device run: GPU workers on the human sets, CPU workers on the E. coli sets; tar results.
set -u
export PYTHONPATH=$PWD/src PYTHONUNBUFFERED=1 XATGRN_NO_PROGRESS=1 OMP_NUM_THREADS=1
export XATGRN_DATA_DIR=$PWD/devrun/fgrn  # copy ../shared/data/fgrn here and carry devrun
LIMIT=${LIMIT:-360}
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import torch, pandas, torch_geometric as g; print(torch.__version__, pandas.__version__, g.__version__)"
START=$(date +%s)
[ -n "${SKIP_SMOKE:-}" ] || timeout 100 python3 benchmarks/device/smoke.py $OUT/smoke.json > $OUT/smoke.log 2>&1; SM=$?
cat $OUT/smoke.log | tail -8
GDEV=cuda; [ $SM -eq 0 ] || GDEV=cpu
echo "smoke rc=$SM -> human sets on $GDEV"
LEFT=$(( LIMIT - ($(date +%s) - START) ))
COMMON="--methods xatgrn --folds 5 --profile fast --threads 1 --out /tmp/cv --cache-dir"
( timeout $LEFT python3 benchmarks/device/xatgrn_main.py -v benchmark --datasets human_covid,human_breast,human_liver,human_lung --protocols inductive,transductive $COMMON /tmp/emb_h --repeats 2 --device $GDEV --workers ${GW:-10} \
  && timeout $(( LIMIT - ($(date +%s) - START) )) python3 benchmarks/device/xatgrn_main.py -v benchmark --datasets human_covid --protocols inductive,transductive $COMMON /tmp/emb_h --repeats 10 --device $GDEV --workers ${GW:-10} ) > $OUT/human.log 2>&1 &
( timeout $LEFT python3 benchmarks/device/xatgrn_main.py -v benchmark --datasets ecoli_heat,ecoli_lactose,ecoli_oxidative --protocols inductive,transductive $COMMON /tmp/emb_e --repeats 2 --device cpu --workers ${CW:-6} ) > $OUT/ecoli.log 2>&1 &
wait
cd /tmp && tar czf $OUT/cv.tgz cv --exclude='cv/*/report.md' 2>/dev/null; ls -la $OUT
find /tmp/cv -name 'rep*_fold*.json' | wc -l
grep -h "AUROC" $OUT/human.log | tail -5; grep -h "AUROC" $OUT/ecoli.log | tail -3
