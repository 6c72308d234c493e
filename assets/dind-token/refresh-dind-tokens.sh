#!/bin/sh
# The ecr-token service of the runner's compose project (DIND_AUTH=token). It renews the docker config.json that DinD
# jobs mount read-only: an `auths` entry per registry of DIND_TOKEN_REGISTRIES, each a short-lived ECR token that the
# static helper obtains with the runner's credentials. It refreshes at start and every DIND_TOKEN_REFRESH_SECONDS;
# after a failure it tries again sooner (5 s, doubling, at most 5 min or the interval) and keeps each registry's last
# good token. Every file is written beside its target and renamed over it, so a reader sees the old file or the new
# one, whole. Beside config.json it writes status.json (times, results, each token's expiry; never a token), which
# Up, Status and SmokeTest read.
#
# A token never reaches a process's arguments or a log line: the helper reads the registry on its standard input,
# the token stays in shell variables, and only printf (a shell builtin, checked below) and pipes handle it.
set -u
umask 077

dir=${DIND_TOKEN_DIR:?}
interval=${DIND_TOKEN_REFRESH_SECONDS:?}
registries=$(printf '%s' "${DIND_TOKEN_REGISTRIES:?}" | tr ',' ' ')
helper=${DIND_TOKEN_HELPER:-docker-credential-ecr-login}
cache=${AWS_ECR_CACHE_DIR:-/tmp/ecr-login}
# ECR's documented token lifetime, for a token that does not carry its own expiry.
lifetime=43200
config=$dir/docker/config.json
status=$dir/status.json

case $(command -V printf 2>/dev/null) in
  *builtin*) ;;
  *) echo "refusing to run: printf is not a shell builtin of this image's /bin/sh, so a token would be in a process's arguments" >&2; exit 2 ;;
esac

mkdir -p "$dir/docker" "$cache/log" || exit 2
# The files belong to whoever owns the folder (the user running the build), whatever user this runs as.
owner=$(stat -c %u:%g "$dir") || exit 2
work=$(mktemp -d) || exit 2

say() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
when() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || printf '%s' "$1"; }
# One line of plain text for a JSON string: no quotes, backslashes or control characters.
plain() { tr -d '\000-\037"\\' | cut -c1-400; }
pattern() { printf '%s' "$1" | sed 's/[.]/[.]/g'; }

# The last good token of a registry, from the config.json in place (one registry per line, as written below).
previous_auth() {
  [ -f "$config" ] && sed -n "s/^ *\"$(pattern "$1")\": {\"auth\": \"\([^\"]*\)\"}.*/\1/p" "$config"
}

# A field of a registry's line in the status.json in place.
previous_field() {
  [ -f "$status" ] && sed -n "s/.*\"host\": \"$(pattern "$1")\".*\"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\}[,}].*/\1/p" "$status"
}

previous_success() {
  [ -f "$status" ] && sed -n 's/.*"last_success_at": \([0-9]*\).*/\1/p' "$status"
}

# Writes standard input to $1 through a temporary file in the same folder, then a rename.
put() {
  tmp=$(mktemp "$(dirname "$1")/.$(basename "$1").XXXXXX") || return 1
  cat >"$tmp" || { rm -f "$tmp"; return 1; }
  chown "$owner" "$tmp" 2>/dev/null
  mv -f "$tmp" "$1"
}

# What went wrong: the helper's log errors (it says "credentials not found" for every failure), else its stderr.
cause() {
  why=$(grep -E 'level=(error|warn)' "$cache/log/ecr-login.log" 2>/dev/null | sed 's/^time="[^"]*" //' | tail -n 3 | tr '\n' ' ')
  [ -n "$why" ] || why=$(tr '\n' ' ' <"$work/err")
  [ -n "$why" ] || why="the helper exited $1 and printed no token"
  printf '%s' "$why" | plain
}

refresh() {
  at=$(date +%s)
  auths='' entries='' failed='' summary=''
  for host in $registries; do
    rm -f "$cache/log/ecr-login.log"
    out=$(printf '%s\n' "$host" | "$helper" get 2>"$work/err")
    rc=$?
    secret=$(printf '%s' "$out" | sed -n 's/.*"Secret": *"\([^"]*\)".*/\1/p')
    user=$(printf '%s' "$out" | sed -n 's/.*"Username": *"\([^"]*\)".*/\1/p')
    if [ "$rc" -eq 0 ] && [ -n "$secret" ]; then
      auth=$(printf '%s:%s' "${user:-AWS}" "$secret" | base64 | tr -d '\n')
      # A real ECR password is base64 of a JSON envelope that carries its expiry in seconds since the epoch.
      expires=$(printf '%s' "$secret" | base64 -d 2>/dev/null | tr -d '\n' | sed -n 's/.*"expiration": *\([0-9][0-9]*\).*/\1/p')
      from=token
      [ -n "$expires" ] || { expires=$((at + lifetime)); from=assumed; }
      result=ok obtained=$at error=''
      summary="$summary $host expires $(when "$expires") ($from);"
    else
      error=$(cause "$rc")
      auth=$(previous_auth "$host")
      obtained=$(previous_field "$host" obtained_at) expires=$(previous_field "$host" expires_at) from=$(previous_field "$host" expiry_from)
      result=failed failed="$failed $host"
      say "refresh of $host failed: $error"
    fi
    if [ -n "$auth" ]; then
      auths="$auths${auths:+,
}    \"$host\": {\"auth\": \"$auth\"}"
    fi
    entries="$entries${entries:+,
}    {\"host\": \"$host\", \"result\": \"$result\", \"obtained_at\": ${obtained:-0}, \"expires_at\": ${expires:-0}, \"expiry_from\": \"${from:-none}\", \"error\": \"$error\"}"
  done
  auth='' secret='' out=''

  printf '{\n  "auths": {\n%s\n  }\n}\n' "$auths" | put "$config" || say "could not write $config"
  auths=''
  if [ -z "$failed" ]; then outcome=ok success=$at; else outcome=failed success=$(previous_success); fi
  printf '{\n  "version": 1,\n  "refreshed_at": %s,\n  "result": "%s",\n  "interval_seconds": %s,\n  "last_success_at": %s,\n  "registries": [\n%s\n  ]\n}\n' \
    "$at" "$outcome" "$interval" "${success:-0}" "$entries" | put "$status" || say "could not write $status"
  if [ -z "$failed" ]; then
    say "refreshed:$summary next in ${interval}s"
    return 0
  fi

  say "refresh failed for$failed"
  return 1
}

if [ "${DIND_TOKEN_ONCE:-}" = true ]; then
  refresh
  exit $?
fi

sleeper=''
trap 'kill $sleeper 2>/dev/null; rm -rf "$work"; exit 0' TERM INT
pause() { sleep "$1" & sleeper=$!; wait "$sleeper"; }

say "renewing the DinD tokens of$(printf ' %s' $registries) every ${interval}s into $config"
delay=5
while :; do
  if refresh; then
    delay=5
    pause "$interval"
  else
    limit=300
    [ "$interval" -lt "$limit" ] && limit=$interval
    [ "$delay" -gt "$limit" ] && delay=$limit
    say "retrying in ${delay}s"
    pause "$delay"
    delay=$((delay * 2))
  fi
done
