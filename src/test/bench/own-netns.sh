#!/bin/sh
# Runs a command (the benchmark's JVM, and so its whole bench) in a network namespace of its own,
# where 198.18.0.0/15 (RFC 2544's benchmarking range) is local on lo: the node agent gives pods
# addresses from it, which EndpointSlices accept (they refuse loopback addresses). Nothing is
# added to the host's own network namespace; this one goes when its last process does.
# Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN). Usage: own-netns.sh COMMAND [ARG...]
exec unshare --net -- sh -c \
  'ip link set lo up && ip route add local 198.18.0.0/15 dev lo table local && exec "$0" "$@"' "$@"
