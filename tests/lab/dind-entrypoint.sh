#!/bin/sh
# Entrypoint of ecrlab/dind: Docker-in-Docker WITHOUT --privileged (this machine's daemon cannot grant
# CAP_SYS_RESOURCE, so --privileged fails). Run the image with
#   --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined
# No arguments, or arguments starting with "-": start dockerd (with them). Anything else: run it as a command.
# As docker:dind does: with DOCKER_TLS_CERTDIR set, make a CA, a server and a client certificate under
# $DOCKER_TLS_CERTDIR/{ca,server,client} (client key readable by all, for jobs sharing /certs/client) and listen with
# --tlsverify on tcp 2376; otherwise on tcp 2375 without TLS. openssl is the image's own (Debian's, from docker-cli).
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

# tls_certs DIR: CA, server (SANs: docker, localhost, the hostname, 127.0.0.1, every address, $DOCKER_TLS_SAN) and client.
tls_certs() {
  dir=$1
  mkdir -p "$dir/ca" "$dir/server" "$dir/client"
  if [ ! -s "$dir/ca/key.pem" ]; then
    key "$dir/ca/key.pem"
    openssl req -new -x509 -days 825 -key "$dir/ca/key.pem" -out "$dir/ca/cert.pem" -subj "/CN=docker:dind CA" 2>/dev/null
  fi
  san="DNS:docker,DNS:localhost,DNS:$(hostname),IP:127.0.0.1"
  for ip in $(hostname -i 2>/dev/null); do san="$san,IP:$ip"; done
  [ -z "${DOCKER_TLS_SAN:-}" ] || san="$san,$DOCKER_TLS_SAN"
  issue "$dir/server" "/CN=docker:dind server" "subjectAltName=$san
extendedKeyUsage=serverAuth"
  issue "$dir/client" "/CN=docker:dind client" "extendedKeyUsage=clientAuth"
  chmod 0644 "$dir/client/key.pem"
  cp "$dir/ca/cert.pem" "$dir/server/ca.pem"
  cp "$dir/ca/cert.pem" "$dir/client/ca.pem"
}

# key FILE: a P-256 key (docker:dind makes RSA 4096 ones; EC is as good for the lab and takes milliseconds).
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# issue DIR SUBJECT EXTENSIONS: key.pem and cert.pem in DIR, signed by the CA.
issue() {
  key "$1/key.pem"
  openssl req -new -key "$1/key.pem" -out "$1/csr.pem" -subj "$2" 2>/dev/null
  printf '%s\n' "$3" >"$1/openssl.cnf"
  openssl x509 -req -in "$1/csr.pem" -CA "$(dirname "$1")/ca/cert.pem" -CAkey "$(dirname "$1")/ca/key.pem" -CAcreateserial \
    -out "$1/cert.pem" -days 825 -extfile "$1/openssl.cnf" 2>/dev/null
  rm -f "$1/csr.pem" "$1/openssl.cnf"
}

if [ -n "${DOCKER_TLS_CERTDIR:-}" ]; then
  tls_certs "$DOCKER_TLS_CERTDIR"
  exec /usr/sbin/dockerd --host=unix:///var/run/docker.sock --host=tcp://0.0.0.0:2376 --tlsverify \
    --tlscacert "$DOCKER_TLS_CERTDIR/server/ca.pem" --tlscert "$DOCKER_TLS_CERTDIR/server/cert.pem" \
    --tlskey "$DOCKER_TLS_CERTDIR/server/key.pem" "$@"
fi
exec /usr/sbin/dockerd --host=unix:///var/run/docker.sock --host=tcp://0.0.0.0:2375 --tls=false "$@"
