#!/bin/sh
# 'divshare launch --netem': links emulated by the kernel (a network
# namespace per node on a private bridge, tc htb for bandwidth, netem for
# latency when the kernel has it). Needs root and working 'ip netns';
# skipped with the reason otherwise. Checks: every node completes, bytes
# received match bytes sent (within 5%: a message accepted by a socket
# just as its peer leaves can be lost), the straggler's uplink stays under
# its 4 Mbit/s, no namespace or bridge is left behind.
# usage: netem.sh PATH/TO/divshare
set -u
ds=$1
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then echo "netem: skipped: needs root"; exit 77; fi
if ! ip netns add "divshare-check-$$" 2>"$tmp/err"; then
  echo "netem: skipped: 'ip netns add' fails here: $(cat "$tmp/err")"
  exit 77
fi
ip netns delete "divshare-check-$$"
fm=/usr/share/datasets/fashion-mnist
[ -d "$fm" ] || { echo "netem: skipped: $fm absent"; exit 77; }
cat >"$tmp/exp.ini" <<INI
[experiment]
name = netem
duration = 6
[dataset]
name = fashion-mnist
train_subset = 8000
[partition]
name = kshard
nodes = 4
shards = 4
[model]
name = mlp
hidden = 64
[algorithm]
algorithms = divshare, swift
degree = 2
local_steps = 32
[network]
up = 20e6
down = 20e6
latency = 0.002
stragglers = 1
straggler_up = 4e6
straggler_down = 4e6
[eval]
interval = 2
test_samples = 1000
INI
before=$(ip netns list | wc -l)
"$ds" launch "$tmp/exp.ini" --netem --out "$tmp/n" >"$tmp/log" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "needs root\|failed:" "$tmp/log"; then
  echo "netem: skipped: $(grep -m1 'divshare launch' "$tmp/log")"
  exit 77
fi
[ $rc = 0 ] || bad "launch --netem failed: $(tail -3 "$tmp/log")"
grep -q "links emulated by the kernel" "$tmp/log" && ok || bad "not kernel-emulated: $(head -2 "$tmp/log")"
for alg in divshare swift; do
  n=$(grep -l '"complete":[[:space:]]*true' "$tmp/n/$alg"/node-*.json 2>/dev/null | wc -l)
  [ "$n" = 4 ] && ok || bad "$alg: $n of 4 nodes complete"
  /usr/bin/python3 - "$tmp/n/$alg" <<'PY' && ok || bad "$alg: byte balance or straggler rate"
import json, sys, re
d = sys.argv[1]
nodes = [json.load(open('%s/node-%d.json' % (d, i))) for i in range(4)]
s = sum(j['bytes_sent'] for j in nodes); r = sum(j['bytes_received'] for j in nodes)
ok = s > 0 and r <= s and r >= 0.95 * s
# the straggler: the node with the fewest bytes sent; 4 Mbit/s over its wall time
slow = min(nodes, key=lambda j: j['bytes_sent'])
rate = 8 * slow['bytes_sent'] / slow['wall_time_s']
print('netem: %s: sent %d, received %d; slowest uplink %.2f Mbit/s' % (d.split('/')[-1], s, r, rate / 1e6))
ok = ok and rate <= 4e6 * 1.1
sys.exit(0 if ok else 1)
PY
done
after=$(ip netns list | wc -l)
[ "$after" = "$before" ] && ok || bad "namespaces left behind: $(ip netns list)"
ip link show type bridge 2>/dev/null | grep -q "dsbr" && bad "bridge left behind" || ok
finish netem
