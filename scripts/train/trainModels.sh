#!/usr/bin/env bash
# Retrains the two demo models from scratch, deterministically (npm run train:models):
#
#   1. build the CLI and regenerate the simulated dataset (variant-lens simulate --seed 1)
#   2. training examples with truth labels (scripts/train/makeTrainingExamples.ts) for the
#      training samples HG001-sim, HG002-sim on chr1–chr19, once with DeepVariant's default
#      make_examples parameters and once with the retrained ones (min_base_quality 5,
#      min_mapping_quality 1, vsc_min_fraction_snps 0.02)
#   3. train `default`, fine-tune `retrained` from it, export both to ONNX with
#      example_info.json and model_card.json (scripts/train/train.py, Debian python3-torch)
#   4. evaluate both on the held-out HG003-sim chr20–chr22 with `variant-lens call` and
#      bcftools isec against the planted truth; write the numbers into the model cards
#      (scripts/train/evaluate.ts)
#
# Hold-out (DeepVariant's rule): no chr20, chr21, chr22 and no HG003-sim in training.
# Work files go to .cache/train (git-ignored); the models to models/default, models/retrained.
#
# usage: scripts/train/trainModels.sh [--reuse-sim] [--reuse-examples] [--evaluate-only]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
WORK="$ROOT/.cache/train"
SIM="$WORK/sim"
EX="$WORK/examples"
PY=/usr/bin/python3
SEED=1
TRAIN_SAMPLES=(HG001-sim HG002-sim)
TRAIN_CONTIGS=$(seq -s, -f 'chr%g' 1 19)

reuse_sim=0; reuse_examples=0; evaluate_only=0
for a in "$@"; do
  case "$a" in
    --reuse-sim) reuse_sim=1 ;;
    --reuse-examples) reuse_sim=1; reuse_examples=1 ;;
    --evaluate-only) evaluate_only=1 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done

command -v bcftools >/dev/null || { echo "bcftools is required (apt-get install bcftools)" >&2; exit 1; }
$PY -c 'import torch, onnx' || { echo "$PY needs torch and onnx (apt-get install python3-torch python3-onnx)" >&2; exit 1; }

t0=$(date +%s)
node scripts/build.mjs

if [[ $evaluate_only == 0 ]]; then
  if [[ $reuse_sim == 0 || ! -f "$SIM/manifest.json" ]]; then
    rm -rf "$SIM"
    node dist/cli.js simulate --out "$SIM" --seed "$SEED" > /dev/null
  fi

  if [[ $reuse_examples == 0 || ! -d "$EX" ]]; then
    rm -rf "$EX"; mkdir -p "$EX"
    pids=()
    for params in default retrained; do
      for s in "${TRAIN_SAMPLES[@]}"; do
        node --import tsx scripts/train/makeTrainingExamples.ts --sim "$SIM" --sample "$s" \
          --contigs "$TRAIN_CONTIGS" --params "$params" --out "$EX/$params.$s.tfrecord.gz" &
        pids+=($!)
      done
      # Two processes at a time: the machine budget is two cores.
      for p in "${pids[@]}"; do wait "$p"; done
      pids=()
    done
  fi

  $PY scripts/train/train.py --examples "$EX" --samples "$(IFS=,; echo "${TRAIN_SAMPLES[*]}")" \
    --contigs "$TRAIN_CONTIGS" --out models --seed "$SEED"
fi

rm -rf "$WORK/eval"
node --import tsx scripts/train/evaluate.ts --sim "$SIM" --sample HG003-sim --contigs chr20,chr21,chr22 \
  --models models/default,models/retrained --work "$WORK/eval"

echo "train:models done in $(( $(date +%s) - t0 )) s"
