#!/bin/sh
# Entrypoint of ecrlab/dind: Docker-in-Docker WITHOUT --privileged (this machine's daemon cannot grant
# CAP_SYS_RESOURCE, so --privileged fails). Run the image with
#   --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined
# No arguments, or arguments starting with "-": start dockerd with them. Anything else: run it as a command.
set -e
case "${1:-}" in
  ''|-*) ;;
  *) exec "$@" ;;
esac

# Without --privileged docker mounts these read-only; the inner daemon must write to them.
if [ ! -e /sys/fs/cgroup/cgroup.controllers ]; then        # cgroup v1: one mount per controller
  for ctl in /sys/fs/cgroup/*/; do
    mount -o remount,bind,rw "$ctl" 2>/dev/null || echo "dind-entrypoint: cannot remount $ctl rw" >&2
  done
fi
mount -o remount,rw /sys 2>/dev/null || echo "dind-entrypoint: cannot remount /sys rw" >&2
mount -o remount,bind,rw /proc/sys 2>/dev/null || echo "dind-entrypoint: cannot remount /proc/sys rw" >&2

# A restarted container keeps /run: stale pid files (pid 1 is alive: it is us) would stop dockerd.
rm -f /var/run/docker.pid /var/run/docker/containerd/containerd.pid

exec /usr/sbin/dockerd "$@"
