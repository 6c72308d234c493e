#!/bin/sh
# Stands in for `gitlab-runner run` in the lab's runner-host image: a long-running main process that
# stops at once on SIGTERM (as `docker stop` and compose send it), so the runner's compose project can
# be started, kept running and stopped like the real one. It runs no jobs.
trap 'exit 0' TERM INT
while :; do
  sleep 1 &
  wait $!
done
