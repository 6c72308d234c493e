#!/bin/sh
# Installs the static docker-credential-ecr-login for this instance's architecture, checked against the SHA-256 of
# the binary BuildHelper made. The checksum, not the transport, is what makes the download trustworthy.
set -eu
case $(uname -m) in
  x86_64|amd64) arch=amd64; sum={{SHA256_AMD64}} ;;
  aarch64|arm64) arch=arm64; sum={{SHA256_ARM64}} ;;
  *) echo "no helper for $(uname -m): the fleet's helper is built for linux/amd64 and linux/arm64" >&2; exit 1 ;;
esac
if [ "$sum" = none ]; then
  echo "no helper was built for linux/$arch: add it to HELPER_PLATFORMS, run BuildHelper and Register again" >&2
  exit 1
fi
url="{{HELPER_URL}}/{{HELPER_VERSION}}/linux-$arch/docker-credential-ecr-login"
target=/usr/local/bin/docker-credential-ecr-login
if [ -f "$target" ] && printf '%s  %s\n' "$sum" "$target" | sha256sum -c - >/dev/null 2>&1; then
  exit 0
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
if command -v curl >/dev/null 2>&1; then
  curl -fsSL --retry 5 -o "$tmp" "$url"
else
  wget -q -O "$tmp" "$url"
fi
printf '%s  %s\n' "$sum" "$tmp" | sha256sum -c - >/dev/null || { echo "the helper at $url does not have the SHA-256 BuildHelper recorded ($sum): upload STATE_DIR/helper/linux-$arch/docker-credential-ecr-login there" >&2; exit 1; }
mkdir -p /usr/local/bin
cp "$tmp" "$target.new"
chmod 0755 "$target.new"
mv -f "$target.new" "$target"
