#!/bin/sh
# Stands in for gitlab/gitlab-ce in the lab's gitlab-standin image (the GitLab CE image cannot be
# pulled here). It reads the web port from GITLAB_OMNIBUS_CONFIG's external_url, as compose.yaml sets
# it, and forwards that port to the GitLab emulator of the test, which listens on the Unix socket
# /var/opt/gitlab/standin/gitlab.socket (STATE_DIR/server/data/standin on the host). Stops on SIGTERM.
port=$(printf '%s\n' "$GITLAB_OMNIBUS_CONFIG" | sed -n "s/^ *external_url *'[a-z]*:\/\/[^:\/]*:\([0-9]*\).*/\1/p" | head -n 1)
[ -n "$port" ] || { echo "gitlab-standin: no port in GITLAB_OMNIBUS_CONFIG's external_url" >&2; exit 2; }
mkdir -p /var/opt/gitlab/standin
echo "gitlab-standin: forwarding :$port to /var/opt/gitlab/standin/gitlab.socket"
socat "TCP-LISTEN:$port,fork,reuseaddr" UNIX-CONNECT:/var/opt/gitlab/standin/gitlab.socket &
pid=$!
trap 'kill "$pid" 2>/dev/null; exit 0' TERM INT
wait "$pid"
