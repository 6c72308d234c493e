#!/bin/sh
# Stands in for /opt/gitlab/bin/gitlab-healthcheck: healthy when the emulator's socket is there, unless
# the test wrote /var/opt/gitlab/standin/unhealthy (its text is printed, as a failing check's output).
dir=/var/opt/gitlab/standin
if [ -f "$dir/unhealthy" ]; then
  echo "gitlab-healthcheck: $(cat "$dir/unhealthy")"
  exit 1
fi
[ -S "$dir/gitlab.socket" ] || { echo "gitlab-healthcheck: no GitLab socket yet"; exit 1; }
echo "gitlab-healthcheck: ok"
