#!/bin/bash
# One shard of a large geosim ensemble per Slurm array task.
#   sbatch docs/recipes/slurm-array.sh            (64 tasks, indices 0-63)
# then, when every task has finished:
#   geosim merge output/baseline-runs10000000-shards/*.partial
# SHARDS must equal the number of array tasks; every task runs the same
# request (scenario, --runs, --seed, --set), only --shard differs.
#SBATCH --job-name=geosim-shards
#SBATCH --array=0-63
#SBATCH --cpus-per-task=4
#SBATCH --time=01:00:00
#SBATCH --output=geosim-shard-%a.log
set -euo pipefail
SCENARIO="${SCENARIO:-baseline}"
RUNS="${RUNS:-10000000}"
SHARDS="${SHARDS:-64}"
GEOSIM="${GEOSIM:-geosim}"
"$GEOSIM" run "$SCENARIO" --runs "$RUNS" \
  --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
  --threads "${SLURM_CPUS_PER_TASK:-1}" --quiet
