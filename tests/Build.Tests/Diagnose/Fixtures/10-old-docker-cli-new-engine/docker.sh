# A Docker 29 host with docker:29-dind and docker:19.03.12 on it: what docker answers Diagnose.
case "$*" in
  "version --format"*) echo "29.1.3 1.52 1.44 x86_64" ;;
  "image inspect"*) echo "sha256:0123" ;;
  create*) echo "created" ;;
  "start --attach"*)
    name=$(echo "$*" | awk '{print $3}')
    if grep -- "--name $name " "$CALLS" | grep -q -- "--entrypoint dockerd"; then echo "Docker version 29.1.3, build 1a2b3c4"; else echo "1.40"; echo "Cannot connect to the Docker daemon" >&2; exit 1; fi ;;
  rm*) ;;
  *) exit 1 ;;
esac
