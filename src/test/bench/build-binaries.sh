#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager and kubectl from their Go
# modules into the bench cache, in the layout Fabric8 kube-api-test reads:
#   $BENCH_CACHE/kube-api-test/k8s/<version>-linux-amd64/{etcd,kube-apiserver,kubectl,kube-controller-manager}
# Idempotent: a binary that is already there is not built again.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"

cache=${BENCH_CACHE:-$HOME/.cache/brokerops-bench}
os=linux
arch=$(uname -m); case "$arch" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac
out="$cache/kube-api-test/k8s/${KUBERNETES_VERSION}-${os}-${arch}"
src="$cache/src"

say() { printf 'bench-build: %s\n' "$*"; }

if ! command -v go >/dev/null 2>&1; then
  say "Go is not installed. The bench builds Kubernetes and etcd from source and needs Go >= 1.26" >&2
  say "(Debian: apt-get install golang-go if it is new enough, or install Go from the Go module proxy's toolchain)." >&2
  exit 1
fi

export GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0
mkdir -p "$out" "$src"

k8s_minor=${KUBERNETES_VERSION#*.}; k8s_minor=${k8s_minor%%.*}
staging_version="v0.${k8s_minor}.${KUBERNETES_VERSION##*.}"

build_kubernetes() {
  local wrapper="$src/kubernetes-$KUBERNETES_VERSION"
  local missing=()
  for b in kube-apiserver.bin kube-controller-manager kubectl; do
    [ -x "$out/$b" ] || missing+=("$b")
  done
  if [ ${#missing[@]} -eq 0 ]; then say "Kubernetes v$KUBERNETES_VERSION binaries already built in $out"; return; fi

  say "preparing wrapper module for k8s.io/kubernetes v$KUBERNETES_VERSION in $wrapper"
  mkdir -p "$wrapper"
  local upstream_mod
  upstream_mod=$(go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  {
    echo "module brokerops.dev/bench/kubernetes"
    echo
    grep -E '^(go|godebug) ' "$upstream_mod"
    echo
    echo "require k8s.io/kubernetes v$KUBERNETES_VERSION"
    echo
    # k8s.io/kubernetes points its staging modules at ./staging; use their published versions.
    grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$upstream_mod" \
      | awk -v v="$staging_version" '{print "replace " $1 " => " $1 " " v}'
  } > "$wrapper/go.mod"
  cat > "$wrapper/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  (cd "$wrapper" && say "resolving modules (go mod tidy)" && go mod tidy)

  local ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=v$KUBERNETES_VERSION -X $p.gitMajor=${KUBERNETES_VERSION%%.*} -X $p.gitMinor=$k8s_minor"
    ld="$ld -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  for b in "${missing[@]}"; do
    local cmd=${b%.bin}
    say "building $cmd (this is the slow part on a cold cache)"
    local start=$SECONDS
    (cd "$wrapper" && go build -trimpath -ldflags "$ld" -o "$out/$b.tmp" "k8s.io/kubernetes/cmd/$cmd")
    mv "$out/$b.tmp" "$out/$b"
    say "built $cmd in $((SECONDS - start))s"
  done
}

install_apiserver_launcher() {
  # kube-api-test 7.5.2 always passes --disable-admission-plugins ServiceAccount. The bench
  # needs that plugin on (it injects the service-account token volume in-cluster clients use),
  # so kube-api-test starts this launcher, which drops ServiceAccount from that list.
  cat > "$out/kube-apiserver.tmp" <<'SH'
#!/usr/bin/env bash
args=()
skip_next=0
for a in "$@"; do
  if [ "$skip_next" = 1 ]; then
    skip_next=0
    rest=$(printf '%s' "$a" | tr ',' '\n' | grep -vx ServiceAccount | paste -sd, -)
    [ -n "$rest" ] && args+=(--disable-admission-plugins "$rest")
    continue
  fi
  if [ "$a" = --disable-admission-plugins ]; then skip_next=1; continue; fi
  args+=("$a")
done
exec "$(dirname "$0")/kube-apiserver.bin" "${args[@]}"
SH
  chmod +x "$out/kube-apiserver.tmp"
  mv "$out/kube-apiserver.tmp" "$out/kube-apiserver"
}

build_etcd() {
  if [ -x "$out/etcd" ]; then say "etcd v$ETCD_VERSION already built in $out"; return; fi
  local wrapper="$src/etcd-$ETCD_VERSION"
  say "preparing wrapper module for go.etcd.io/etcd/server/v3 v$ETCD_VERSION in $wrapper"
  mkdir -p "$wrapper"
  printf 'module brokerops.dev/bench/etcd\n\ngo 1.24\n' > "$wrapper/go.mod"
  local start=$SECONDS
  (cd "$wrapper" && go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" \
     && go build -trimpath -ldflags "-s -w" -o "$out/etcd.tmp" go.etcd.io/etcd/server/v3)
  mv "$out/etcd.tmp" "$out/etcd"
  say "built etcd in $((SECONDS - start))s"
}

total=$SECONDS
build_etcd
build_kubernetes
install_apiserver_launcher
say "done in $((SECONDS - total))s: $(du -sh "$out" | cut -f1) in $out"
ls -l "$out"
