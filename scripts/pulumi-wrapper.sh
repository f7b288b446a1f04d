#!/usr/bin/env bash
# scripts/pulumi-wrapper.sh <pulumi binary> [pulumi args...]
#
# What `.tools/bin/pulumi` runs (the generated wrapper in scripts/tools.sh execs this script with the pinned CLI).
# It gives every Pulumi run the project starts:
#
#  1. A private temporary directory: TMPDIR for the CLI, the language host and the providers is a fresh 0700
#     directory `${TMPDIR:-/tmp}/pipeline-service-pulumi.<wrapper pid>.XXXXXX`, removed when the wrapper exits
#     (normally, on INT/TERM/HUP, and when the CLI crashes). The kubernetes provider writes the whole kubeconfig
#     (tokens included) to `$TMPDIR/kubeconfigNNNN` on every configure and never removes it
#     (pulumi-kubernetes provider/v4 pkg/provider/util.go@v4.25.0 writeKubeconfigToFile, os.CreateTemp("", ...)),
#     so those files land here and go with it. The wrapper does not `exec` the CLI, so it can clean up; the CLI
#     runs with PR_SET_PDEATHSIG=SIGKILL (setpriv --pdeathsig), so a SIGKILL of the wrapper still kills the CLI,
#     and the next run sweeps directories whose wrapper pid is dead.
#  2. A state backend that cannot be confused (issue 11 §4):
#     - the `local` stack uses the file backend `<project>/.pulumi-state`, unless the caller set
#       PULUMI_BACKEND_URL (the tests' throwaway backends);
#     - any other stack uses what the caller chose: PULUMI_BACKEND_URL, `backend.url` in Pulumi.yaml, or the
#       backend logged in to with `.tools/bin/pulumi login <url>`; with none of them the run is refused;
#     - creating a stack named like an environment (dev, staging, prod) on a file backend is refused unless
#       PIPELINE_SERVICE_ALLOW_LOCAL_BACKEND=1, or PIPELINE_SERVICE_RENDER_DIR is set (render mode: a preview
#       that never talks to a cluster, as `npm run audit` and the policy tests do).
#  3. The local stack's passphrase: when the caller gives none (PULUMI_CONFIG_PASSPHRASE unset or empty and no
#     PULUMI_CONFIG_PASSPHRASE_FILE), a random passphrase generated once and kept 0600 beside the state it
#     encrypts, `<file backend>/.pipeline-service/passphrase`, is used through PULUMI_CONFIG_PASSPHRASE_FILE.
#     Its salt is per machine too, so it is not committed: it is kept in `.pipeline-service/encryptionsalt` and
#     handed to the CLI by appending it to Pulumi.local.yaml for the length of the run; the committed file is
#     restored byte for byte afterwards (`stack init` rewrites the file; its comments come back).
#
# Everything else (no update checks, no plugin downloads, PULUMI_HOME) comes from scripts/lib.sh.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set +e
REAL="${1:?usage: pulumi-wrapper.sh <pulumi binary> [args...]}"; shift

wrapper_die() { echo "error: $*" >&2; exit 2; }

# ---------------------------------------------------------------------------------------------------------------
# Arguments: the stack (--stack/-s, or the name after `stack init|select|rm|...`), --cwd, and the command words.
# Flags that take a value, from `pulumi <cmd> --help` of pulumi v3.163.0 (the ones the wrapper must skip over).
VALUE_FLAGS=" --stack -s --cwd -C --config-file --secrets-provider --policy-pack --policy-pack-config --event-log
 --target -t --replace --target-replace --parallel -p --message -m --color --tracing --profiling -v --verbose
 --copy-config-from --exclude --plan --save-plan --import-file --file -f --path --show-secrets-for --limit --config
 --exec-kind --exec-agent --client "
STACK=""; CWD=""; WORDS=(); CREATE_FLAG=0
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  a="${args[$i]}"
  case "$a" in
    --stack=*) STACK="${a#--stack=}" ;;
    --cwd=*) CWD="${a#--cwd=}" ;;
    --stack|-s) STACK="${args[$((i + 1))]:-}"; i=$((i + 1)) ;;
    --cwd|-C) CWD="${args[$((i + 1))]:-}"; i=$((i + 1)) ;;
    --create) CREATE_FLAG=1 ;;
    -c) if [ "${WORDS[*]:0:2}" = "stack select" ]; then CREATE_FLAG=1; else i=$((i + 1)); fi ;;
    --) break ;;
    -*=*) ;;
    -*) case "$VALUE_FLAGS" in *" $a "*|*" $a"$'\n'*) i=$((i + 1)) ;; esac ;;
    *) WORDS+=("$a") ;;
  esac
done
# `pulumi version` reads no stack, backend or secret (the Automation API's PulumiCommand.get runs it first):
# the CLI as it is, so it creates no state directory or passphrase.
if [ "${WORDS[0]:-}" = version ] && [ "${#WORDS[@]}" = 1 ]; then
  exec "$REAL" "$@"
fi
CREATING=0
if [ "${WORDS[0]:-}" = stack ]; then
  case "${WORDS[1]:-}" in
    init) CREATING=1; [ -z "$STACK" ] && STACK="${WORDS[2]:-}" ;;
    select) [ "$CREATE_FLAG" = 1 ] && CREATING=1; [ -z "$STACK" ] && STACK="${WORDS[2]:-}" ;;
    rm|rename|tag|history|export|import|output|graph|ls|unselect|change-secrets-provider) ;;
  esac
  case "${WORDS[1]:-}" in rm) [ -z "$STACK" ] && STACK="${WORDS[2]:-}" ;; esac
fi
# A fully qualified stack (org/project/stack) is judged by its last part.
STACK_NAME="${STACK##*/}"

# The project directory: --cwd or the working directory, then up to the nearest Pulumi.yaml (as the CLI does).
PROJ="$(cd "${CWD:-.}" 2>/dev/null && pwd)" || PROJ="$PWD"
while [ "$PROJ" != / ] && [ ! -f "$PROJ/Pulumi.yaml" ]; do PROJ="$(dirname "$PROJ")"; done
[ -f "$PROJ/Pulumi.yaml" ] || PROJ="$(cd "${CWD:-.}" 2>/dev/null && pwd || echo "$PWD")"

# ---------------------------------------------------------------------------------------------------------------
# Backend.
project_backend_url() {
  # `backend:\n  url: <url>` in Pulumi.yaml (pulumi Project.Backend.URL).
  [ -f "$PROJ/Pulumi.yaml" ] || return 0
  awk '/^backend:/{b=1; next} b && /^[^[:space:]#]/{b=0} b && /^[[:space:]]+url:/{sub(/^[[:space:]]+url:[[:space:]]*/, ""); gsub(/["'\'']/, ""); print; exit}' "$PROJ/Pulumi.yaml"
}
logged_in_url() {
  # The backend `pulumi login` made current, recorded in $PULUMI_HOME/credentials.json (only its URL is read).
  local f="$PULUMI_HOME/credentials.json"
  [ -f "$f" ] && jq -r '.current // empty' "$f" 2>/dev/null
  return 0
}
CALLER_BACKEND="${PULUMI_BACKEND_URL:-}"
CONFIGURED="${CALLER_BACKEND:-$(project_backend_url)}"
CONFIGURED="${CONFIGURED:-$(logged_in_url)}"
LOCAL_URL="file://$PROJ/.pulumi-state"
IS_LOCAL=0
if [ "${WORDS[0]:-}" = login ] || [ "${WORDS[0]:-}" = logout ]; then
  : # the CLI's own choice (the URL given, or the caller's PULUMI_BACKEND_URL)
elif [ "$STACK_NAME" = local ]; then
  IS_LOCAL=1
  export PULUMI_BACKEND_URL="${CALLER_BACKEND:-$LOCAL_URL}"
elif [ -n "$STACK_NAME" ]; then
  if [ -n "$CONFIGURED" ]; then
    export PULUMI_BACKEND_URL="$CONFIGURED"
  elif [ "${PIPELINE_SERVICE_ALLOW_LOCAL_BACKEND:-}" = 1 ]; then
    export PULUMI_BACKEND_URL="$LOCAL_URL"
  else
    wrapper_die "stack '$STACK' has no state backend: only the 'local' stack uses the file backend in this checkout.
  Log in to the team's backend first (.tools/bin/pulumi login <url>), set PULUMI_BACKEND_URL, or set backend.url in
  Pulumi.yaml; see README \"Runbook: dev and prod\". A throwaway local state for '$STACK' needs
  PIPELINE_SERVICE_ALLOW_LOCAL_BACKEND=1."
  fi
elif [ -n "$CONFIGURED" ]; then
  export PULUMI_BACKEND_URL="$CONFIGURED"
else
  # No stack named and no backend chosen: the only stack that can live here is the local one.
  IS_LOCAL=1
  export PULUMI_BACKEND_URL="$LOCAL_URL"
fi

case "$STACK_NAME" in
  dev|staging|stage|prod|production|dev[-_.]*|staging[-_.]*|stage[-_.]*|prod[-_.]*|production[-_.]*) ENV_NAMED=1 ;;
  *) ENV_NAMED=0 ;;
esac
if [ "$CREATING" = 1 ] && [ "$ENV_NAMED" = 1 ] && [[ "${PULUMI_BACKEND_URL:-}" == file://* ]] \
  && [ "${PIPELINE_SERVICE_ALLOW_LOCAL_BACKEND:-}" != 1 ] && [ -z "${PIPELINE_SERVICE_RENDER_DIR:-}" ]; then
  wrapper_die "refusing to create stack '$STACK' on the file backend $PULUMI_BACKEND_URL: a '$STACK_NAME' stack
  belongs on the team's backend, or two people get two diverging states of the same clusters. Log in to it
  (.tools/bin/pulumi login <url>) or set PULUMI_BACKEND_URL / backend.url in Pulumi.yaml (README \"Runbook: dev and
  prod\"). To create a throwaway local copy anyway: PIPELINE_SERVICE_ALLOW_LOCAL_BACKEND=1."
fi

STATE_DIR=""
case "${PULUMI_BACKEND_URL:-}" in
  file://*) STATE_DIR="${PULUMI_BACKEND_URL#file://}"; STATE_DIR="${STATE_DIR%%\?*}"; mkdir -p "$STATE_DIR" ;;
esac

# ---------------------------------------------------------------------------------------------------------------
# Private temporary directory; stale ones (their wrapper pid is dead, e.g. after a SIGKILL) are swept first.
TMP_BASE="${TMPDIR:-/tmp}"
for d in "$TMP_BASE"/pipeline-service-pulumi.*; do
  [ -d "$d" ] && [ -O "$d" ] || continue
  pid="${d##*/pipeline-service-pulumi.}"; pid="${pid%%.*}"
  case "$pid" in ''|*[!0-9]*) continue ;; esac
  if ! kill -0 "$pid" 2>/dev/null || ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q pulumi-wrapper.sh; then
    rm -rf "$d"
  fi
done
PRIVATE_TMP="$(umask 077 && mktemp -d "$TMP_BASE/pipeline-service-pulumi.$$.XXXXXX")" || wrapper_die "cannot create a private temporary directory in $TMP_BASE"
chmod 0700 "$PRIVATE_TMP"

LOCAL_YAML="$PROJ/Pulumi.local.yaml"
SECRETS_DIR=""
ORIG_YAML=""
restore_local_yaml() {
  [ -n "$ORIG_YAML" ] && [ -f "$LOCAL_YAML" ] || return 0
  local salt; salt="$(sed -n 's/^encryptionsalt:[[:space:]]*//p' "$LOCAL_YAML" | tail -1)"
  if [ -n "$salt" ] && [ -n "$SECRETS_DIR" ]; then
    (umask 077 && printf '%s\n' "$salt" >"$SECRETS_DIR/encryptionsalt.tmp" && mv "$SECRETS_DIR/encryptionsalt.tmp" "$SECRETS_DIR/encryptionsalt")
  fi
  if [ "${WORDS[0]:-} ${WORDS[1]:-}" = "stack init" ] || [ "${WORDS[0]:-} ${WORDS[1]:-}" = "stack select" ] \
    || [ "${WORDS[0]:-} ${WORDS[1]:-}" = "stack change-secrets-provider" ]; then
    # These rewrite the file only to record the salt: put the committed bytes back.
    cat "$ORIG_YAML" >"$LOCAL_YAML"
  else
    sed -i '/^encryptionsalt:/d' "$LOCAL_YAML"
  fi
  ORIG_YAML=""
}
cleanup() {
  restore_local_yaml
  rm -rf "$PRIVATE_TMP"
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------------------------
# The local stack's passphrase and salt.
if [ "$IS_LOCAL" = 1 ] && [ -n "$STATE_DIR" ]; then
  if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    SECRETS_DIR="$STATE_DIR/.pipeline-service"
    (umask 077 && mkdir -p "$SECRETS_DIR")
    chmod 0700 "$SECRETS_DIR"
    if [ ! -s "$SECRETS_DIR/passphrase" ]; then
      (umask 077 && openssl rand -hex 32 >"$SECRETS_DIR/passphrase.tmp" && mv "$SECRETS_DIR/passphrase.tmp" "$SECRETS_DIR/passphrase") \
        || wrapper_die "cannot write $SECRETS_DIR/passphrase"
    fi
    chmod 0600 "$SECRETS_DIR/passphrase"
    unset PULUMI_CONFIG_PASSPHRASE
    export PULUMI_CONFIG_PASSPHRASE_FILE="$SECRETS_DIR/passphrase"
    # A salt missing from the stack file is taken from the stack's own state (pulumi pkg/cmd/pulumi/stack/secrets.go
    # FallbackToState@v3.163.0), so a lost .pipeline-service/encryptionsalt heals itself.
    export PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true
    if [ -f "$LOCAL_YAML" ]; then
      ORIG_YAML="$PRIVATE_TMP/Pulumi.local.yaml.orig"
      # A salt left in the file by a killed run, or one that belongs to another machine, is not the committed file.
      sed '/^encryptionsalt:/d' "$LOCAL_YAML" >"$ORIG_YAML"
      cat "$ORIG_YAML" >"$LOCAL_YAML"
      if [ -s "$SECRETS_DIR/encryptionsalt" ]; then
        printf 'encryptionsalt: %s\n' "$(cat "$SECRETS_DIR/encryptionsalt")" >>"$LOCAL_YAML"
      fi
    fi
  fi
fi

# ---------------------------------------------------------------------------------------------------------------
# Cluster identity fencing (lib/fencing.ts): the identities this stack recorded, from its own outputs, for the
# program to compare with what each kubeconfig context reaches. A stack with no outputs yet records them.
# The same outputs tell the program which clusters are deployed, in which state (active, draining, removed), with
# which expected CSV and whether protected (lib/fleet.ts): PIPELINE_SERVICE_DEPLOYED_CLUSTERS, for the rename,
# removal, drain and downgrade checks. Each variable set by the caller is kept.
# All three come from one `stack output --json` (every output of the stack): each CLI run loads and decrypts the whole
# state, about a second for a 16-cluster stack here (bench/README.md), so it is read once.
if { [ -z "${PIPELINE_SERVICE_EXPECTED_IDENTITIES+x}" ] || [ -z "${PIPELINE_SERVICE_DEPLOYED_CLUSTERS+x}" ] \
  || [ -z "${PIPELINE_SERVICE_DEPLOYED_TENANTS+x}" ]; } && [ -z "${PIPELINE_SERVICE_RENDER_DIR:-}" ]; then
  case "${WORDS[0]:-}" in
    up|update|preview|pre)
      so=(stack output --json --non-interactive)
      [ -n "$STACK" ] && so+=(--stack "$STACK")
      [ -n "$CWD" ] && so+=(--cwd "$CWD")
      if all="$(TMPDIR="$PRIVATE_TMP" "$REAL" "${so[@]}" 2>/dev/null </dev/null)"; then
        outputs="$(jq -c '.clusters? // null' <<<"$all" 2>/dev/null)" || outputs=null
        if [ -z "${PIPELINE_SERVICE_EXPECTED_IDENTITIES+x}" ] && [ "$outputs" != null ]; then
          ids="$(jq -c 'if type == "object" then with_entries(select((.value.identity? // "") != "")) | map_values(.identity) else {} end' <<<"$outputs" 2>/dev/null)" \
            && export PIPELINE_SERVICE_EXPECTED_IDENTITIES="$ids"
        fi
        if [ -z "${PIPELINE_SERVICE_DEPLOYED_CLUSTERS+x}" ] && [ "$outputs" != null ]; then
          deployed="$(jq -c 'if type == "object" then with_entries(select(.value | type == "object")
              | .value |= {state: (.state // "active"), expectedCsv: (.expectedCsv // ""), protected: (.protected // false)}) else {} end' \
              <<<"$outputs" 2>/dev/null)" && export PIPELINE_SERVICE_DEPLOYED_CLUSTERS="$deployed"
        fi
        # The tenants it deployed (lib/tenantDrain.ts): a tenant gone from tenants[] is drained before it is deleted.
        if [ -z "${PIPELINE_SERVICE_DEPLOYED_TENANTS+x}" ]; then
          tenants="$(jq -c '.tenantsDeployed? // null' <<<"$all" 2>/dev/null)" || tenants=null
          if [ "$tenants" != null ]; then
            export PIPELINE_SERVICE_DEPLOYED_TENANTS="$(jq -c 'if type == "object" then . else {} end' <<<"$tenants" 2>/dev/null || echo '{}')"
          fi
        fi
      fi
      ;;
  esac
fi

# ---------------------------------------------------------------------------------------------------------------
# Run the CLI as a child (not exec), so the EXIT trap runs however it ends. INT from the terminal reaches the CLI
# directly (same process group); forwarding it again would be a second ^C, which makes pulumi terminate instead
# of cancel (pkg/backend/cancellation_scope.go@v3.163.0), so INT is forwarded only when no terminal sent it.
CHILD=""
in_terminal_foreground() {
  [ -t 0 ] || [ -t 1 ] || return 1
  local stat; stat="$(cat /proc/$$/stat 2>/dev/null)" || return 1
  stat="${stat##*) }"
  # fields after comm: state ppid pgrp session tty_nr tpgid
  set -- $stat
  [ "$3" = "$6" ]
}
forward() {
  local sig="$1"
  [ -n "$CHILD" ] || exit $((128 + $(kill -l "$sig")))
  if [ "$sig" = INT ] && in_terminal_foreground; then return 0; fi
  kill -s "$sig" "$CHILD" 2>/dev/null
}
trap 'forward INT' INT
trap 'forward TERM' TERM
trap 'forward HUP' HUP

TMPDIR="$PRIVATE_TMP" env --default-signal=INT,QUIT setpriv --pdeathsig KILL -- "$REAL" "$@" <&0 &
CHILD=$!
while :; do
  wait "$CHILD"; rc=$?
  if [ "$rc" -gt 128 ] && kill -0 "$CHILD" 2>/dev/null; then continue; fi
  break
done
exit "$rc"
