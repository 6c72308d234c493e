#!/bin/sh
# Builds docker-credential-ecr-login statically (CGO_ENABLED=0), stamped with its version, once per
# platform into /out/<os>-<arch>/. BuildHelper (build/Helper/GoContainerBuild.cs) copies this script
# into a Go container, runs it and copies /out back; the Go module and build caches live in /cache (a
# named volume), so a second platform or a new version reuses what is already downloaded and compiled.
#
#   HELPER_MODE       build:   go install <HELPER_MODULE>/ecr-login/cli/docker-credential-ecr-login@v<HELPER_VERSION>
#                              through HELPER_GOPROXY
#                     archive: go build from the release source archive /helper-src.tar.gz with its
#                              vendored modules, GOPROXY=off (no network)
#   HELPER_VERSION    the version, also stamped into the binary (so -v does not print "development")
#   HELPER_MODULE, HELPER_GOPROXY   (build)
#   HELPER_PLATFORMS  space-separated os/arch pairs, e.g. "linux/amd64 linux/arm64"
set -eu

cmd=docker-credential-ecr-login
export CGO_ENABLED=0 GOTOOLCHAIN=local GOMODCACHE=/cache/mod GOCACHE=/cache/build
unset GOBIN

case "$HELPER_MODE" in
  build)
    export GOPROXY="$HELPER_GOPROXY" GOFLAGS=
    package="$HELPER_MODULE/ecr-login/cli/$cmd@v$HELPER_VERSION"
    version_var="$HELPER_MODULE/ecr-login/version.Version"
    ;;
  archive)
    export GOPROXY=off GOFLAGS=-mod=vendor
    mkdir -p /tmp/src
    tar -xzf /helper-src.tar.gz -C /tmp/src
    cd /tmp/src/*/ecr-login
    version_var="$(sed -n 's/^module //p' go.mod)/version.Version"
    ;;
  *)
    echo "build-helper.sh: unknown HELPER_MODE '$HELPER_MODE'" >&2
    exit 2
    ;;
esac

ldflags="-s -w -X $version_var=$HELPER_VERSION"
for platform in $HELPER_PLATFORMS; do
  os=${platform%/*}
  arch=${platform#*/}
  out=/out/$os-$arch
  mkdir -p "$out"
  echo "build-helper.sh: $cmd $HELPER_VERSION for $platform ($HELPER_MODE, $(go version))"
  started=$(date +%s)
  if [ "$HELPER_MODE" = build ]; then
    # go install refuses GOBIN for a cross-compiled binary and puts it in $GOPATH/bin/<os>_<arch>/.
    gopath=/tmp/gopath-$os-$arch
    GOPATH=$gopath GOOS=$os GOARCH=$arch go install -trimpath -ldflags "$ldflags" "$package"
    for built in "$gopath/bin/${os}_$arch/$cmd" "$gopath/bin/$cmd"; do
      if [ -f "$built" ]; then mv "$built" "$out/$cmd"; break; fi
    done
  else
    GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$out/$cmd" "./cli/$cmd"
  fi
  test -f "$out/$cmd"
  echo "build-helper.sh: built $platform in $(($(date +%s) - started)) s"
done
