# shellcheck shell=bash
# Source first in every npm entry point, before anything with a side effect: `source "$(dirname "$0")/usage.sh" "$@"`.
# With -h or --help among the arguments it prints the script's header comment (its usage) and exits 0.
for __arg in "$@"; do
  case "$__arg" in
    -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
  esac
done
unset __arg
