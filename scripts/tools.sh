#!/usr/bin/env bash
# npm run tools [-- --only NAME[,NAME]] [-- --try-unavailable]
#
# Ensures the whole hermetic toolchain pinned in tools/versions.json and links it into .tools/bin:
#   node (22+), pulumi + pulumi-language-nodejs (+ the SDK's analyzer/nodejs-provider shims),
#   pulumi-resource-kubernetes (also installed into the plugin cache at the SDK's version),
#   etcd, kube-apiserver, kube-controller-manager and kubectl, and kcp v0.11 (kcp, syncer, kubectl-kcp).
#
# For each tool it uses, in order:
#   1. a matching binary already on PATH (the fast path for users of the official CLI);
#   2. the cache ${XDG_CACHE_HOME:-$HOME/.cache}/pipeline-service/tools/<tool>-<version>-<goversion>;
#   3. a build from the Go module proxy (or, for Node, the npm registry) into a temporary directory that is
#      moved into the cache only when the build succeeded.
# Exit status: 0 when every required tool is present; 1 with "error: <tool> <version>: ..." otherwise.
# Nothing half-built is left in the cache.
source "$(dirname "$0")/lib.sh"

ONLY=""
TRY_UNAVAILABLE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY="$2"; shift 2 ;;
    --try-unavailable) TRY_UNAVAILABLE=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) die "tools: unknown argument '$1' (expected --only NAME[,NAME] or --try-unavailable)" ;;
  esac
done
wanted() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }

command -v jq >/dev/null || die "tools: jq is required to read tools/versions.json (apt-get install -y jq)"
[ -f "$VERSIONS" ] || die "tools: $VERSIONS is missing"
mkdir -p "$TOOLS_CACHE" "$TOOLS_BIN"

GO_VERSION=""
go_env() {
  command -v go >/dev/null || die "$1: Go is needed to build it from the Go module proxy, and 'go' is not on PATH"
  GO_VERSION="$(go env GOVERSION)"
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
  # The module mirror serves these pseudo-versions, but the checksum database has no record of them.
  GONOSUMDB="$(jq -r '.noSumDb | join(",")' "$VERSIONS")"
  export GONOSUMDB
}

TOTAL_START=$(date +%s)
BUILT=()

# build_cached TOOL VERSION KEY BUILDER: run BUILDER "$tmp" unless $TOOLS_CACHE/$KEY is complete.
# BUILDER must put its binaries into "$tmp/bin". On failure nothing is left in the cache.
build_cached() {
  local tool="$1" version="$2" key="$3" builder="$4"
  local dest="$TOOLS_CACHE/$key"
  if [ -f "$dest/.complete" ]; then return 0; fi
  rm -rf "$dest"
  local tmp
  tmp="$(mktemp -d "$TOOLS_CACHE/.build-$key.XXXXXX")"
  mkdir -p "$tmp/bin"
  local start=$(date +%s)
  log "building $tool $version (cache key $key) ..."
  local logf="$tmp/build.log"
  # errexit is ignored inside an `if` condition, so run the builder as a plain statement and test its status.
  local rc=0
  set +e
  ( set -euo pipefail; "$builder" "$tmp" ) >"$logf" 2>&1
  rc=$?
  set -e
  # A builder must leave at least one executable in bin/; anything else is a failed build.
  if [ "$rc" = 0 ] && ! find "$tmp/bin" -type f -perm -u+x | grep -q .; then
    echo "the build finished but produced no executable in bin/" >>"$logf"; rc=1
  fi
  if [ "$rc" = 0 ]; then
    local secs=$(( $(date +%s) - start ))
    echo "$tool $version built in ${secs}s with $GO_VERSION" >"$tmp/.complete"
    rm -f "$logf"
    mv "$tmp" "$dest"
    BUILT+=("$tool $version: ${secs}s")
    log "built $tool $version in ${secs}s"
  else
    local secs=$(( $(date +%s) - start ))
    echo "---- last lines of the build log for $tool $version ----" >&2
    tail -n 25 "$logf" >&2 || true
    rm -rf "$tmp"
    die "$tool $version: the build failed after ${secs}s (see the log above); nothing was left in $TOOLS_CACHE"
  fi
}

link() { ln -sfn "$1" "$TOOLS_BIN/$(basename "${2:-$1}")"; }

# Is there a binary on PATH (outside .tools/bin) whose version output contains $2?
on_path_matching() {
  local name="$1" want="$2" p
  p="$(PATH="${PATH//$TOOLS_BIN:/}" command -v "$name" 2>/dev/null || true)"
  [ -n "$p" ] || return 1
  "$p" "${@:3}" 2>/dev/null | grep -qF -- "$want" || return 1
  echo "$p"
}

# resolve_module NAME KEY RESOLVER, in a wrapper module directory: restore go.mod, go.sum and tools.go pinned in
# tools/go/NAME when they were pinned for KEY, and build read-only against them, so every module hash comes from
# the committed go.sum (the checksum database behind this machine's proxy lacks most github.com/pulumi versions).
# Otherwise run RESOLVER (go mod init/get/tidy) and pin its result there, to be committed with the version bump.
resolve_module() {
  local name="$1" key="$2" resolver="$3" pin="$ROOT/tools/go/$1"
  if [ -f "$pin/go.sum" ] && [ "$(cat "$pin/KEY" 2>/dev/null)" = "$key" ]; then
    cp "$pin/go.mod" "$pin/go.sum" .
    if [ -f "$pin/tools.go" ]; then cp "$pin/tools.go" .; fi
    export GOFLAGS=-mod=readonly GONOSUMDB=
    echo "using the go.mod and go.sum pinned in tools/go/$name for $key"
  else
    "$resolver"
    mkdir -p "$pin"
    cp go.mod go.sum "$pin/"
    if [ -f tools.go ]; then cp tools.go "$pin/"; fi
    echo "$key" > "$pin/KEY"
    echo "pinned go.mod and go.sum for $key in tools/go/$name (commit them)"
  fi
}

# The directory of a module version in the module cache (downloading it if needed).
module_dir() { go mod download -json "$1" | jq -er .Dir; }

# ---------------------------------------------------------------------------------------------------------------
# Node 22+
ensure_node() {
  local v; v="$(ver .node.version)"
  local major="${v%%.*}"
  local sys; sys="$(PATH="${PATH//$TOOLS_BIN:/}" command -v node || true)"
  if [ -n "$sys" ] && [ "$("$sys" -p 'process.versions.node.split(".")[0]')" -ge "$major" ]; then
    link "$sys" node; return 0
  fi
  local key="node-$v"
  build_node() {
    local tmp="$1" pkg; pkg="$(ver .node.npmPackage)@$v"
    ( cd "$tmp" && npm pack --silent "$pkg" >/dev/null 2>npm.err ) || { cat "$tmp/npm.err"; return 1; }
    tar -xzf "$tmp"/*.tgz -C "$tmp" && rm -f "$tmp"/*.tgz "$tmp/npm.err"
    mv "$tmp/package/bin/node" "$tmp/bin/node" && rm -rf "$tmp/package"
    "$tmp/bin/node" --version
  }
  GO_VERSION="npm" build_cached node "$v" "$key" build_node
  link "$TOOLS_CACHE/$key/bin/node"
}

# ---------------------------------------------------------------------------------------------------------------
# pulumi CLI + Node.js language host, one wrapper module so they share one dependency graph.
ensure_pulumi() {
  local v; v="$(ver .pulumi.version)"
  local dir
  if p="$(on_path_matching pulumi "v$v" version)" && [ -x "$(dirname "$p")/pulumi-language-nodejs" ]; then
    dir="$(dirname "$p")"
    log "pulumi v$v: using the official CLI at $dir"
  else
    go_env pulumi
    local key="pulumi-$v-$GO_VERSION"
    build_pulumi() {
      local tmp="$1" w="$1/src"
      mkdir -p "$w" && cd "$w"
      resolve_pulumi() {
        go mod init local/pulumi-cli
        go mod edit -replace=github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
        go get "$(ver .pulumi.pkgModule)@v$v" "$(ver .pulumi.sdkModule)@v$v" \
          "$(ver .pulumi.languageNodejsModule)@$(ver .pulumi.languageNodejsModuleVersion)"
        printf '//go:build tools\npackage tools\nimport (\n\t_ "%s/cmd/pulumi"\n\t_ "%s"\n)\n' \
          "$(ver .pulumi.pkgModule)" "$(ver .pulumi.languageNodejsModule)" > tools.go
        go mod tidy
      }
      resolve_module pulumi "pulumi $v $(ver .pulumi.languageNodejsModuleVersion)" resolve_pulumi
      go build -trimpath -tags osusergo,grpcnotrace \
        -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v" \
        -o "$tmp/bin/" "$(ver .pulumi.pkgModule)/cmd/pulumi" "$(ver .pulumi.languageNodejsModule)"
      # The shell shims Pulumi ships next to the CLI (policy packs, dynamic providers), from the SDK module.
      local sdk; sdk="$(module_dir "$(ver .pulumi.sdkModule)@v$v")"
      install -m 0755 "$sdk/nodejs/dist/pulumi-analyzer-policy" "$sdk/nodejs/dist/pulumi-resource-pulumi-nodejs" "$tmp/bin/"
      "$tmp/bin/pulumi" version | grep -qx "v$v"
      cd "$tmp" && rm -rf "$w"
    }
    build_cached pulumi "$v" "$key" build_pulumi
    dir="$TOOLS_CACHE/$key/bin"
  fi
  # .tools/bin/pulumi is a wrapper that sets the hermetic environment, so running it by hand never downloads;
  # scripts/pulumi-wrapper.sh also picks the state backend per stack and gives each run a private TMPDIR.
  cat >"$TOOLS_BIN/pulumi" <<EOF
#!/usr/bin/env bash
# Generated by scripts/tools.sh: the pinned pulumi v$v with the project's hermetic environment.
exec bash "$ROOT/scripts/pulumi-wrapper.sh" "$dir/pulumi" "\$@"
EOF
  chmod +x "$TOOLS_BIN/pulumi"
  for b in pulumi-language-nodejs pulumi-analyzer-policy pulumi-resource-pulumi-nodejs; do
    [ -e "$dir/$b" ] && link "$dir/$b"
  done
}

# ---------------------------------------------------------------------------------------------------------------
# Resource plugins, built from the provider module at the release commit and installed into the plugin cache at the
# exact version the npm SDK asks for.
ensure_plugin() {
  local name="$1" v mod modv
  v="$(ver ".plugins.$name.version")"; mod="$(ver ".plugins.$name.module")"; modv="$(ver ".plugins.$name.moduleVersion")"
  local unavailable; unavailable="$(jq -r ".plugins.$name.unavailable // empty" "$VERSIONS")"
  if [ -n "$unavailable" ] && [ "$TRY_UNAVAILABLE" = 0 ]; then
    log "plugin $name $v: BLOCKED, not built: $unavailable"
    return 0
  fi
  go_env "plugin $name"
  local key="plugin-$name-$v-$GO_VERSION"
  build_plugin() {
    local tmp="$1" w="$1/src"
    mkdir -p "$w" && cd "$w"
    case "$name" in
      kubernetes)
        # Upstream's main.go embeds generated files that are not in the module zip; ours embeds them from the
        # module's schema.json (with the version set) and terraform-mapping.json.
        cp "$ROOT/tools/go/pulumi-resource-kubernetes/main.go" .
        embed_schema() {
          local d; d="$(module_dir "$mod@$modv")"
          jq -c --arg v "$v" '.version = $v' "$d/cmd/pulumi-resource-kubernetes/schema.json" > schema-embed.json
          jq -c . "$d/cmd/pulumi-resource-kubernetes/terraform-mapping.json" > terraform-mapping-embed.json
        }
        resolve_plugin() {
          go mod init "local/pulumi-resource-$name"
          go get "$mod@$modv"
          embed_schema
          go mod tidy
        }
        resolve_module "pulumi-resource-$name" "plugin $name $v $modv" resolve_plugin
        [ -f schema-embed.json ] || embed_schema
        go build -trimpath -ldflags "-s -w -X $mod/pkg/version.Version=$v" -o "$tmp/bin/pulumi-resource-$name" .
        ;;
      *)
        resolve_plugin() {
          go mod init "local/pulumi-resource-$name"
          go get "$mod/cmd/pulumi-resource-$name@$modv"
          printf '//go:build tools\npackage tools\nimport _ "%s/cmd/pulumi-resource-%s"\n' "$mod" "$name" > tools.go
          go mod tidy
        }
        resolve_module "pulumi-resource-$name" "plugin $name $v $modv" resolve_plugin
        go build -trimpath -ldflags "-s -w -X $mod/pkg/version.Version=$v" -o "$tmp/bin/pulumi-resource-$name" \
          "$mod/cmd/pulumi-resource-$name"
        ;;
    esac
    cd "$tmp" && rm -rf "$w"
  }
  build_cached "plugin $name" "$v" "$key" build_plugin
  # Not linked into .tools/bin: a plugin on PATH is "ambient" and would bypass the version check of the cache.
  # Register it in the plugin cache at the SDK's exact version (offline: --file skips the registry).
  if ! "$TOOLS_BIN/pulumi" plugin ls --json 2>/dev/null \
      | jq -e --arg n "$name" --arg v "$v" 'any(.[]; .name == $n and .kind == "resource" and .version == $v)' >/dev/null; then
    "$TOOLS_BIN/pulumi" plugin install resource "$name" "$v" --file "$TOOLS_CACHE/$key/bin/pulumi-resource-$name" >/dev/null \
      || die "plugin $name $v: 'pulumi plugin install --file' failed"
  fi
}

# ---------------------------------------------------------------------------------------------------------------
# etcd
ensure_etcd() {
  local v; v="$(ver .etcd.version)"
  if p="$(on_path_matching etcd "etcd Version: $v" --version)"; then link "$p"; return 0; fi
  go_env etcd
  local key="etcd-$v-$GO_VERSION"
  build_etcd() {
    local tmp="$1" w="$1/src"
    mkdir -p "$w" && cd "$w"
    resolve_etcd() {
      go mod init local/etcd
      go get "go.etcd.io/etcd/server/v3@v$v"
      printf '//go:build tools\npackage tools\nimport _ "go.etcd.io/etcd/server/v3"\n' > tools.go
      go mod tidy
    }
    resolve_module etcd "etcd $v" resolve_etcd
    go build -trimpath -ldflags "-s -w" -o "$tmp/bin/etcd" go.etcd.io/etcd/server/v3
    "$tmp/bin/etcd" --version | grep -q "etcd Version: $v"
    cd "$tmp" && rm -rf "$w"
  }
  build_cached etcd "$v" "$key" build_etcd
  link "$TOOLS_CACHE/$key/bin/etcd"
}

# ---------------------------------------------------------------------------------------------------------------
# promtool, for the alert rule unit tests (`promtool check rules`, `promtool test rules`; test/e2e/alerts.test.ts).
# Only cmd/promtool of the Prometheus module, with -tags remove_all_sd (prometheus README@v0.316.0 "Service
# discovery plugins": it drops the optional cloud SDs; rule checks and rule tests use none of them). The version
# stamp is that of prometheus .promu.yml@v0.316.0 (github.com/prometheus/common/version), with a fixed build date.
ensure_promtool() {
  local v modv mod p
  v="$(ver .promtool.version)"; modv="$(ver .promtool.moduleVersion)"; mod="$(ver .promtool.module)"
  if p="$(on_path_matching promtool "promtool, version $v " --version)"; then link "$p"; return 0; fi
  go_env promtool
  local key="promtool-$v-$GO_VERSION"
  build_promtool() {
    local tmp="$1" w="$1/src"
    mkdir -p "$w" && cd "$w"
    resolve_promtool() {
      go mod init local/promtool
      go get "$mod/cmd/promtool@$modv"
      printf '//go:build tools\npackage tools\nimport _ "%s/cmd/promtool"\n' "$mod" > tools.go
      go mod tidy
    }
    resolve_module promtool "promtool $v $modv" resolve_promtool
    local ld="-s -w -X github.com/prometheus/common/version.Version=$v -X github.com/prometheus/common/version.Branch=HEAD"
    ld="$ld -X github.com/prometheus/common/version.Revision=$modv -X github.com/prometheus/common/version.BuildUser=pipeline-service"
    ld="$ld -X github.com/prometheus/common/version.BuildDate=19700101-00:00:00"
    go build -trimpath -tags remove_all_sd,netgo -ldflags "$ld" -o "$tmp/bin/promtool" "$mod/cmd/promtool"
    "$tmp/bin/promtool" --version | grep -qF "promtool, version $v "
    cd "$tmp" && rm -rf "$w"
  }
  build_cached promtool "$v" "$key" build_promtool
  link "$TOOLS_CACHE/$key/bin/promtool"
}

# ---------------------------------------------------------------------------------------------------------------
# kube-apiserver, kube-controller-manager and kubectl of one Kubernetes release, version-stamped like an official build.
ensure_kube() {
  local v; v="$(ver .kubernetes.version)"
  local a k
  local c
  if a="$(on_path_matching kube-apiserver "v$v" --version)" && c="$(on_path_matching kube-controller-manager "v$v" --version)" \
      && k="$(on_path_matching kubectl "v$v" version --client)"; then
    link "$a"; link "$c"; link "$k"; return 0
  fi
  go_env kubernetes
  local key="kubernetes-$v-$GO_VERSION"
  build_kube() {
    local tmp="$1" w="$1/src" minor sv
    minor="$(echo "$v" | cut -d. -f2)"; sv="0.${v#1.}"
    mkdir -p "$w" && cd "$w"
    resolve_kube() {
      go mod init local/kubernetes
      local gm; gm="$(go mod download -json "k8s.io/kubernetes@v$v" | jq -r .GoMod)"
      [ -f "$gm" ] || { echo "k8s.io/kubernetes@v$v is not available from the Go module proxy"; return 1; }
      # k8s.io/kubernetes requires its staging repos at v0.0.0 and replaces them with ./staging; point each at its
      # published module of the same release instead.
      for m in $(go mod edit -json "$gm" | jq -r '.Replace[] | select(.New.Path | startswith("./staging/")) | .Old.Path'); do
        go mod edit -replace="$m=$m@v$sv"
      done
      go mod edit -require="k8s.io/kubernetes@v$v"
      printf '//go:build tools\npackage tools\nimport (\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n\t_ "k8s.io/kubernetes/cmd/kube-controller-manager"\n\t_ "k8s.io/kubernetes/cmd/kubectl"\n)\n' > tools.go
      go mod tidy
    }
    resolve_module kubernetes "kubernetes $v" resolve_kube
    local ld="-s -w -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
    ld="$ld -X k8s.io/component-base/version.gitVersion=v$v -X k8s.io/component-base/version.gitTreeState=clean"
    ld="$ld -X k8s.io/component-base/version.gitCommit=0000000000000000000000000000000000000000"
    ld="$ld -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
    ld="$ld -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
    ld="$ld -X k8s.io/client-go/pkg/version.gitVersion=v$v"
    go build -trimpath -pgo=off -ldflags "$ld" -o "$tmp/bin/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl
    "$tmp/bin/kube-apiserver" --version | grep -qx "Kubernetes v$v"
    cd "$tmp" && rm -rf "$w"
  }
  build_cached kubernetes "$v" "$key" build_kube
  for b in kube-apiserver kube-controller-manager kubectl; do link "$TOOLS_CACHE/$key/bin/$b"; done
}

# ---------------------------------------------------------------------------------------------------------------
# kcp v0.11.0: the server (`kcp`), the `syncer` and the `kubectl-kcp` plugin, from one wrapper module.
# Recipe: ../shared/docs/real-controllers.md §1. The wrapper's go.mod is kcp's own go.mod (github.com/kcp-dev/kcp
# go.mod@v0.11.0) renamed, so its 26 `k8s.io/* => github.com/kcp-dev/kubernetes...` replaces and the cel-go replace
# apply (replaces of a dependency do not); kcp's `pkg/apis => ./pkg/apis` replace cannot work from a module zip, so
# the published nested module github.com/kcp-dev/kcp/pkg/apis@v0.11.0 is required instead.
ensure_kcp() {
  local v mod apis
  v="$(ver .kcp.version)"; mod="$(ver .kcp.module)"; apis="$(ver .kcp.apisModule)"
  local p d
  if p="$(on_path_matching kcp "+kcp-v$v" --version)" && d="$(dirname "$p")" && [ -x "$d/syncer" ] && [ -x "$d/kubectl-kcp" ]; then
    for b in kcp syncer kubectl-kcp; do link "$d/$b"; done
    return 0
  fi
  go_env kcp
  local key="kcp-$v-$GO_VERSION"
  build_kcp() {
    local tmp="$1" w="$1/src"
    mkdir -p "$w" && cd "$w"
    resolve_kcp() {
      local gm; gm="$(go mod download -json "$mod@v$v" | jq -r .GoMod)"
      [ -f "$gm" ] || { echo "$mod@v$v is not available from the Go module proxy"; return 1; }
      cp "$gm" go.mod && chmod u+w go.mod
      go mod edit -module=local/kcp -dropreplace="$apis" -require="$mod@v$v" -require="$apis@v$v"
      printf '//go:build tools\npackage tools\nimport (\n\t_ "%s/cmd/kcp"\n\t_ "%s/cmd/syncer"\n\t_ "%s/cmd/kubectl-kcp"\n)\n' \
        "$mod" "$mod" "$mod" > tools.go
      go mod tidy
    }
    resolve_module kcp "kcp $v" resolve_kcp
    # The version stamp of kcp's Makefile@v0.11.0 (LDFLAGS: <k8s.io/kubernetes version>+kcp-<tag>, the commit), with
    # a fixed build date so rebuilds are byte-identical. -checklinkname=0: Go >= 1.23 refuses the 2022
    # golang.org/x/net kcp pins (`invalid reference to syscall.recvmsg`, real-controllers.md §1).
    local kv commit ld
    kv="$(ver .kcp.kubernetesVersion)"; commit="$(ver .kcp.commit)"
    ld="-s -w -checklinkname=0"
    for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
      ld="$ld -X $p.gitCommit=$commit -X $p.gitTreeState=clean -X $p.gitVersion=$kv+kcp-v$v"
      ld="$ld -X $p.gitMajor=$(echo "${kv#v}" | cut -d. -f1) -X $p.gitMinor=$(echo "$kv" | cut -d. -f2)"
      ld="$ld -X $p.buildDate=1970-01-01T00:00:00Z"
    done
    go build -trimpath -ldflags "$ld" -o "$tmp/bin/" "$mod/cmd/kcp" "$mod/cmd/syncer" "$mod/cmd/kubectl-kcp"
    "$tmp/bin/kcp" --version | grep -qF "+kcp-v$v"
    cd "$tmp" && rm -rf "$w"
  }
  build_cached kcp "$v" "$key" build_kcp
  for b in kcp syncer kubectl-kcp; do link "$TOOLS_CACHE/$key/bin/$b"; done
}

# ---------------------------------------------------------------------------------------------------------------
# External Secrets v0.16.2: the controller (its root main package, github.com/external-secrets/external-secrets
# main.go@v0.16.2), run out of cluster against the local compute clusters by scripts/eso.ts. v0.16.2 is the newest
# release buildable here: v1.x's go.mod has local `=> ./...` replaces to nested modules the proxy does not serve
# (../shared/docs/real-controllers.md §4). The wrapper's go.mod is ESO's own go.mod@v0.16.2 renamed (like kcp's), so
# its `github.com/Masterminds/sprig/v3 => github.com/external-secrets/sprig/v3` replace applies. The binary has no
# version flag, so there is no PATH fast path; the cache key carries the version.
ensure_external_secrets() {
  local v mod
  v="$(ver .externalSecrets.version)"; mod="$(ver .externalSecrets.module)"
  go_env external-secrets
  local key="external-secrets-$v-$GO_VERSION"
  build_external_secrets() {
    local tmp="$1" w="$1/src"
    mkdir -p "$w" && cd "$w"
    resolve_external_secrets() {
      local gm; gm="$(go mod download -json "$mod@v$v" | jq -r .GoMod)"
      [ -f "$gm" ] || { echo "external-secrets: $mod@v$v is not available from the Go module proxy"; return 1; }
      cp "$gm" go.mod && chmod u+w go.mod
      go mod edit -module=local/external-secrets -require="$mod@v$v"
      printf '//go:build tools\npackage tools\nimport _ "%s"\n' "$mod" > tools.go
      go mod tidy
    }
    resolve_module external-secrets "external-secrets $v" resolve_external_secrets
    go build -trimpath -ldflags "-s -w" -o "$tmp/bin/external-secrets" "$mod"
    # cobra prints the command's Long text and its flags (cmd/controller/root.go@v0.16.2).
    "$tmp/bin/external-secrets" --help | grep -qF -- "--enable-cluster-store-reconciler"
    cd "$tmp" && rm -rf "$w"
  }
  build_cached external-secrets "$v" "$key" build_external_secrets
  link "$TOOLS_CACHE/$key/bin/external-secrets"
}

# ---------------------------------------------------------------------------------------------------------------
# tekton-operator-check-<version>: admits TektonConfig documents through tektoncd/operator's own admission webhooks
# (pkg/webhook/webhook.go@<version>: NewDefaultingAdmissionController, NewValidationAdmissionController, both with
# disallowUnknownFields=true), one binary per operator module version in tools/versions.json
# tektonOperatorCheck.versions. The main.go (tools/go/tekton-operator-check/main.go) is ours and shared; each version
# has its own go.mod/go.sum pin in tools/go/tekton-operator-check/<version>/. The operator's go.mod `replace`s (e.g.
# k8s.io/client-go => v0.35.2 in go.mod@v0.81.0) do not apply to a dependency, so the resolver copies them into the
# wrapper's go.mod, and the build uses the operator's own dependency versions. The cache key carries a hash of
# main.go, so a change to it rebuilds. Not under the build lock: callers on a shared machine run the whole script
# under `flock /tmp/pipeline-service-build.lock` (a lock taken here would deadlock such a caller).
ensure_tekton_operator_check() {
  local mod src hash v
  mod="$(ver .tektonOperatorCheck.module)"
  src="$ROOT/tools/go/tekton-operator-check/main.go"
  go_env tekton-operator-check
  hash="$(sha256sum "$src" | cut -c1-12)"
  for v in $(ver '.tektonOperatorCheck.versions[]'); do
    local key="tekton-operator-check-$v-$GO_VERSION-$hash"
    build_tekton_operator_check() {
      local tmp="$1" w="$1/src"
      mkdir -p "$w" && cd "$w"
      cp "$src" .
      resolve_tekton_operator_check() {
        go mod init local/tekton-operator-check
        local info gm r
        info="$(go mod download -json "$mod@$v")" || { echo "$(jq -r .Error <<<"$info")"; return 1; }
        gm="$(jq -r .GoMod <<<"$info")"
        for r in $(go mod edit -json "$gm" | jq -r '.Replace[]? | select(.New.Version != null)
            | "\(.Old.Path)\(if .Old.Version then "@" + .Old.Version else "" end)=\(.New.Path)@\(.New.Version)"'); do
          go mod edit -replace="$r"
        done
        go get "$mod@$v"
        go mod tidy
      }
      resolve_module "tekton-operator-check/$v" "tekton-operator-check $v" resolve_tekton_operator_check
      go build -trimpath -ldflags "-s -w" -o "$tmp/bin/tekton-operator-check-$v" .
      "$tmp/bin/tekton-operator-check-$v" --version | grep -qF "$mod $v "
      cd "$tmp" && rm -rf "$w"
    }
    build_cached tekton-operator-check "$v" "$key" build_tekton_operator_check
    link "$TOOLS_CACHE/$key/bin/tekton-operator-check-$v"
  done
}

wanted node && ensure_node
wanted etcd && ensure_etcd
wanted promtool && ensure_promtool
wanted pulumi && ensure_pulumi
if wanted kubernetes-plugin || wanted plugins; then ensure_plugin kubernetes; fi
if wanted random-plugin || wanted plugins; then ensure_plugin random; fi
if wanted command-plugin || wanted plugins; then ensure_plugin command; fi
wanted kubernetes && ensure_kube
wanted kcp && ensure_kcp
wanted external-secrets && ensure_external_secrets

wanted tekton-operator-check && ensure_tekton_operator_check

total=$(( $(date +%s) - TOTAL_START ))
if [ ${#BUILT[@]} -gt 0 ]; then
  log "built: ${BUILT[*]}"
fi
log "toolchain ready in ${total}s: $TOOLS_BIN (cache: $TOOLS_CACHE)"
