#!/bin/sh
# Stands in for gitlab-rails: only `runner` with the project's root-token script. The token must come
# through the environment (GITLAB_RUNNER_ECR_ROOT_TOKEN); it is appended to standin/root-tokens, which
# the test's GitLab emulator reads as root's personal access tokens. Prints created or exists, as the
# real script does. Each call's argv is recorded in standin/gitlab-rails.argv for the test to check.
dir=/var/opt/gitlab/standin
mkdir -p "$dir"
printf '%s\n' "$*" >>"$dir/gitlab-rails.argv"
[ "$1" = runner ] || { echo "gitlab-standin: only 'gitlab-rails runner' is emulated" >&2; exit 2; }
case $2 in
  *"ENV.fetch('GITLAB_RUNNER_ECR_ROOT_TOKEN')"*) ;;
  *) echo "gitlab-standin: the script does not read the token from the environment" >&2; exit 2 ;;
esac
token=${GITLAB_RUNNER_ECR_ROOT_TOKEN:-}
[ -n "$token" ] || { echo "KeyError: key not found: \"GITLAB_RUNNER_ECR_ROOT_TOKEN\"" >&2; exit 1; }
if [ -f "$dir/rails-error" ]; then cat "$dir/rails-error" >&2; exit 1; fi
if grep -qxF "$token" "$dir/root-tokens" 2>/dev/null; then
  echo exists
else
  (umask 077 && printf '%s\n' "$token" >>"$dir/root-tokens")
  echo created
fi
