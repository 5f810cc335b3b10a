#!/usr/bin/env bash
# Runs a scenario's shards over ssh hosts with GNU parallel, then merges
# them here: docs/cluster.md. Every host needs a clone of pcplab at the
# same path as here (after npm ci); the scenario file is copied over.
#
#   PCPLAB_HOSTS=4/node1,4/node2 docs/cluster/parallel-ssh.sh sweep.scn 16 > report.txt
#
# PCPLAB_HOSTS is GNU parallel's --sshlogin list ("4/node1" runs 4 jobs at
# a time on node1); ":" is this machine, without ssh.
set -euo pipefail
scenario=${1:?usage: parallel-ssh.sh SCENARIO.scn SHARDS}
shards=${2:?usage: parallel-ssh.sh SCENARIO.scn SHARDS}
clone=$(cd "$(dirname "$0")/../.." && pwd)
parts=$(mktemp -d)
cp "$scenario" "$parts/scenario.scn"
cd "$parts"
if [ "${PCPLAB_HOSTS:-:}" = ":" ]; then
  # This machine only: one job per core, in this directory.
  where=()
else
  # --workdir ... runs each job in a fresh directory on its host,
  # --transferfile sends the scenario there, --return brings the part back
  # here and --cleanup removes that directory.
  where=(--sshlogin "$PCPLAB_HOSTS" --workdir ... --transferfile scenario.scn --return 'part-{}.json' --cleanup)
fi
# {} is the shard number K.
seq 1 "$shards" | parallel "${where[@]}" --halt now,fail=1 \
  "'$clone/bin/pcplab' run scenario.scn --shard {}/$shards --json > part-{}.json"
echo "pcplab: the $shards parts are in $parts" >&2
"$clone/bin/pcplab" merge part-*.json
