# Recipes of the lab's stand-in images, sourced by setup.sh after lib.sh. Nothing here pulls:
# rootfs trees come from debootstrap (Debian mirror only) or from host binaries, and images are
# made with `docker import` / `docker commit`.
#
# Each image NAME has inputs_NAME (prints what it is built from) and build_NAME REF. Its tag is the
# first 12 hex digits of sha256(helper functions + both functions' text + inputs), so a changed
# recipe, entrypoint or host binary gives a new tag and an unchanged one is found and skipped.

SUITE=bookworm
# One debootstrap serves every Debian-based image (a fresh machine pays for one, not one per image): the Go image
# takes the whole tree, the docker images the tree without Go's files (GO_FILES).
declare -A ROOTFS_PKGS=(
  [base]='docker.io,ca-certificates,iptables,iproute2,procps,golang-go,git'
)
GO_FILES=('./usr/lib/go' './usr/lib/go-*' './usr/share/go' './usr/share/go-*' './usr/bin/go' './usr/bin/gofmt')
# shellcheck disable=SC2034  # used by setup.sh
IMAGES=(docker-cli dind runner-host musl go registry hello gitlab-standin)
declare -A HASH REF
PATH_ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

sha12() { sha256sum | cut -c1-12; }

# --- rootfs tarballs: debootstrap once per recipe, cached in .out/cache ---------------------------

rootfs_key() { { declare -f ensure_rootfs release_dir; echo "$SUITE ${ROOTFS_PKGS[$1]} ${GO_FILES[*]}"; } | sha12; }

# The mirror apt uses (deb822 .sources or one-line .list), for the suite we bootstrap.
apt_mirror() {
  local f uri=
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    uri=$(awk -v suite="$SUITE" 'BEGIN { RS = ""; FS = "\n" }
      { t = u = s = ""; on = 1
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^#/) continue
          k = tolower($i); sub(/:.*/, "", k); v = $i; sub(/^[^:]*:[ \t]*/, "", v)
          if (k == "types") t = " " v " "; else if (k == "uris") u = v; else if (k == "suites") s = " " v " "
          else if (k == "enabled" && tolower(v) == "no") on = 0
        }
        if (on && t ~ / deb / && s ~ " " suite " ") { split(u, a, /[ \t]+/); print a[1]; exit }
      }' "$f")
    [[ -n $uri ]] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    uri=$(awk -v suite="$SUITE" '$1 == "deb" { i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit } }' "$f")
    [[ -n $uri ]] && { echo "$uri"; return; }
  done
  echo http://deb.debian.org/debian
}

# Unmounts what a failed debootstrap may have left mounted inside DIR, then removes DIR.
release_dir() {
  [[ -e $1 ]] || return 0
  awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n1 umount -l
  rm -rf --one-file-system "$1"
}

# ensure_rootfs NAME: sets ROOTFS_TAR to the cached tarball of rootfs NAME and ROOTFS_TAR_NOGO to the same without
# Go's files, bootstrapping it if missing.
ensure_rootfs() {
  local key dir mirror proxy='' t0 tree excludes=()
  key=$(rootfs_key "$1")
  ROOTFS_TAR=$CACHE/rootfs-$1-$key.tar
  ROOTFS_TAR_NOGO=$CACHE/rootfs-$1-$key-nogo.tar
  if [[ -s $ROOTFS_TAR && -s $ROOTFS_TAR_NOGO ]]; then note "rootfs $1 cached"; return; fi
  dir=$OUT/work/rootfs-$1
  release_dir "$dir"
  mkdir -p "$CACHE/debs" "$OUT/work"
  mirror=$(apt_mirror)
  eval "$(apt-config shell proxy Acquire::http::Proxy)"
  t0=$(now_ms)
  http_proxy=${proxy:-${http_proxy:-}} run debootstrap --variant=minbase --cache-dir="$CACHE/debs" \
    --include="${ROOTFS_PKGS[$1]}" "$SUITE" "$dir" "$mirror"
  note "debootstrap $1 from $mirror $(secs_since "$t0")"
  for tree in "$ROOTFS_TAR" "$ROOTFS_TAR_NOGO"; do
    [[ $tree == "$ROOTFS_TAR_NOGO" ]] && excludes=("${GO_FILES[@]/#/--exclude=}")
    run tar --numeric-owner -C "$dir" -cf "$tree.part" "${excludes[@]}" \
      --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' --exclude='./run/*' --exclude='./tmp/*' \
      --exclude='./var/cache/apt/archives/*.deb' --exclude='./var/cache/apt/*.bin' \
      --exclude='./var/lib/apt/lists/*' --exclude='./usr/share/doc/*' --exclude='./usr/share/man/*' .
    mv "$tree.part" "$tree"
  done
  release_dir "$dir"
  find "$CACHE" -maxdepth 1 -name "rootfs-*.tar" ! -name "${ROOTFS_TAR##*/}" ! -name "${ROOTFS_TAR_NOGO##*/}" -delete
}

# --- image helpers ------------------------------------------------------------------------------

# labels REF: the --change arguments that label an image ecrlab=1 with its name and recipe hash.
labels() { local name=${1%%:*}; printf -- '--change\nLABEL ecrlab=1 ecrlab.name=%s ecrlab.recipe=%s\n' "${name#ecrlab/}" "${1##*:}"; }

# import_tar TAR|- REF CHANGE...: docker import with the lab labels and the given Dockerfile-style changes.
import_tar() {
  local src=$1 ref=$2 c args=(); shift 2
  mapfile -t args < <(labels "$ref")
  for c; do args+=(--change "$c"); done
  run docker import "${args[@]}" "$src" "$ref"
}

# derive BASE REF STAGE CHANGE...: BASE plus the files under directory STAGE (copied onto /), committed as REF.
derive() {
  local base=$1 ref=$2 stage=$3 c args=() cid; shift 3
  mapfile -t args < <(labels "$ref")
  for c; do args+=(--change "$c"); done
  docker rm -fv "$BUILD_CTR" >/dev/null 2>&1 || true
  cid=$(run docker create --pull never --name "$BUILD_CTR" "$base")
  [[ -z $stage ]] || run docker cp "$stage/." "$cid:/"
  run docker commit "${args[@]}" "$cid" "$ref" >/dev/null
  run docker rm -v "$cid" >/dev/null
}

# tiny_root DIR: busybox-static as /bin/sh and every applet, root user, /tmp. No libc at all.
tiny_root() {
  local a
  release_dir "$1"
  mkdir -p "$1"/{bin,etc,root,tmp,proc,sys,dev,var/tmp}
  chmod 1777 "$1/tmp" "$1/var/tmp"
  cp /bin/busybox "$1/bin/busybox"
  for a in $(/bin/busybox --list); do [[ -e $1/bin/$a ]] || ln -s busybox "$1/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$1/etc/passwd"
  echo 'root:x:0:' >"$1/etc/group"
}

# host_files DIR PATH...: copies host files to the same paths in DIR, plus the glibc libraries they load.
host_files() {
  local dir=$1 f lib; shift
  for f; do mkdir -p "$dir$(dirname "$f")"; cp -L "$f" "$dir$f"; done
  for f; do
    file -bL "$f" | grep -q 'dynamically linked' || continue
    for lib in $(ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
      [[ -e $dir$lib ]] || { mkdir -p "$dir$(dirname "$lib")"; cp -L "$lib" "$dir$lib"; }
    done
  done
}

import_dir() { local dir=$1; shift; tar --numeric-owner -C "$dir" -cf - . | import_tar - "$@"; release_dir "$dir"; }

host_digests() { sha256sum "$@" | cut -c1-64; }

HELPER_FNS=(sha12 labels import_tar derive tiny_root host_files import_dir)

image_hash() {
  local fn=${1//-/_}
  { declare -f "${HELPER_FNS[@]}" "inputs_$fn" "build_$fn"; echo "$PATH_ENV"; "inputs_$fn"; } | sha12
}

# ensure_image NAME: sets HASH[NAME] and REF[NAME]; builds the image unless that tag exists.
ensure_image() {
  local fn=${1//-/_}
  HASH[$1]=$(image_hash "$1")
  REF[$1]=ecrlab/$1:${HASH[$1]}
  if docker image inspect "${REF[$1]}" >/dev/null 2>&1; then note "${REF[$1]} present"; return; fi
  "build_$fn" "${REF[$1]}"
  note "${REF[$1]} built"
}

# --- the images ---------------------------------------------------------------------------------

inputs_docker_cli() { rootfs_key base; }
build_docker_cli() {
  ensure_rootfs base
  import_tar "$ROOTFS_TAR_NOGO" "$1" "ENV $PATH_ENV" 'CMD ["sh"]'
}

inputs_dind() { echo "${HASH[docker-cli]}"; cat "$LAB/dind-entrypoint.sh"; }
build_dind() {
  local stage=$OUT/work/stage-dind
  release_dir "$stage"
  mkdir -p "$stage/usr/local/bin" "$stage/etc/docker/certs.d"
  install -m 0755 "$LAB/dind-entrypoint.sh" "$stage/usr/local/bin/dind-entrypoint"
  chmod -R go=u-w "$stage"
  derive "${REF[docker-cli]}" "$1" "$stage" \
    'ENTRYPOINT ["/usr/local/bin/dind-entrypoint"]' 'CMD []' \
    'VOLUME /var/lib/docker' 'EXPOSE 2375 2376'
  release_dir "$stage"
}

inputs_runner_host() { echo "${HASH[docker-cli]}"; cat "$LAB/runner-host-entrypoint.sh"; }
build_runner_host() {
  local stage=$OUT/work/stage-runner-host
  release_dir "$stage"
  mkdir -p "$stage/etc/gitlab-runner" "$stage/usr/local/bin"
  install -m 0755 "$LAB/runner-host-entrypoint.sh" "$stage/usr/local/bin/runner-host-entrypoint"
  chmod -R go=u-w "$stage"
  derive "${REF[docker-cli]}" "$1" "$stage" "ENV $PATH_ENV" 'CMD ["/usr/local/bin/runner-host-entrypoint"]'
  release_dir "$stage"
}

inputs_musl() { host_digests /bin/busybox /lib/ld-musl-x86_64.so.1; }
build_musl() {
  local dir=$OUT/work/root-musl
  tiny_root "$dir"
  mkdir -p "$dir/lib"
  cp -L /lib/ld-musl-x86_64.so.1 "$dir/lib/ld-musl-x86_64.so.1"
  ln -s ld-musl-x86_64.so.1 "$dir/lib/libc.musl-x86_64.so.1"
  import_dir "$dir" "$1" "ENV $PATH_ENV" 'CMD ["sh"]'
}

inputs_go() { rootfs_key base; }
build_go() {
  ensure_rootfs base
  import_tar "$ROOTFS_TAR" "$1" "ENV $PATH_ENV" \
    'ENV GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off CGO_ENABLED=0' 'CMD ["go", "version"]'
}

inputs_registry() {
  host_digests /usr/bin/docker-registry
  ldd /usr/bin/docker-registry | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
    xargs -r sha256sum | cut -c1-64
}
build_registry() {
  local dir=$OUT/work/root-registry
  tiny_root "$dir"
  host_files "$dir" /usr/bin/docker-registry
  mkdir -p "$dir/etc/docker/registry" "$dir/var/lib/registry"
  printf '%s\n' 'version: 0.1' 'log: {level: info}' 'storage:' \
    '  filesystem: {rootdirectory: /var/lib/registry}' '  delete: {enabled: true}' 'http:' '  addr: :5000' \
    >"$dir/etc/docker/registry/config.yml"
  import_dir "$dir" "$1" "ENV $PATH_ENV" 'ENTRYPOINT ["/usr/bin/docker-registry", "serve"]' \
    'CMD ["/etc/docker/registry/config.yml"]' 'EXPOSE 5000'
}

inputs_hello() { host_digests /bin/busybox; }
build_hello() {
  local dir=$OUT/work/root-hello
  tiny_root "$dir"
  import_dir "$dir" "$1" "ENV $PATH_ENV" 'CMD ["/bin/busybox", "echo", "hello from private ECR"]'
}

# Stands in for gitlab/gitlab-ce (which cannot be pulled here): busybox + the host's socat, forwarding
# the web port to the test's GitLab emulator on a Unix socket in the bind-mounted /var/opt/gitlab, with
# stand-ins for gitlab-rails and GitLab's healthcheck (checked every second, not every 60 s).
inputs_gitlab_standin() {
  host_digests /bin/busybox /usr/bin/socat
  ldd /usr/bin/socat | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | xargs -r sha256sum | cut -c1-64
  cat "$LAB"/gitlab-standin/*.sh
}
build_gitlab_standin() {
  local dir=$OUT/work/root-gitlab-standin
  tiny_root "$dir"
  host_files "$dir" /usr/bin/socat
  mkdir -p "$dir/opt/gitlab/bin" "$dir/usr/local/bin" "$dir/etc/gitlab" "$dir/var/opt/gitlab" "$dir/var/log/gitlab"
  install -m 0755 "$LAB/gitlab-standin/entrypoint.sh" "$dir/usr/local/bin/gitlab-standin"
  install -m 0755 "$LAB/gitlab-standin/gitlab-rails.sh" "$dir/usr/bin/gitlab-rails"
  install -m 0755 "$LAB/gitlab-standin/gitlab-healthcheck.sh" "$dir/opt/gitlab/bin/gitlab-healthcheck"
  tar --numeric-owner -C "$dir" -cf - . | import_tar - "$1.base" "ENV $PATH_ENV" 'CMD ["/usr/local/bin/gitlab-standin"]'
  release_dir "$dir"
  # docker import takes no HEALTHCHECK; docker commit does. GitLab's own: gitlab-healthcheck --fail --max-time 10.
  derive "$1.base" "$1" "" 'HEALTHCHECK --interval=1s --timeout=5s --retries=3 CMD ["/opt/gitlab/bin/gitlab-healthcheck", "--fail", "--max-time", "10"]'
  docker rmi "$1.base" >/dev/null
}
