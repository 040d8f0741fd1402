#!/bin/sh
# The image's two roles:
#   web     the web node (unprivileged): HTTP, WebSocket, sessions; runs go to the shared queue
#   worker  a grader worker (privileged): builds the kernel-specific headers and the loader for
#           this host's kernel, then takes runs from the shared queue
# Anything else is run as a command (for example: node --import tsx apps/server/src/cli/lab.ts
# create-instructor prof@example.org).
set -eu
cd /lab
role=${1:-web}
case "$role" in
  web)
    exec node --import tsx apps/server/src/main.ts
    ;;
  worker)
    node docker/prepare.mjs grader
    exec node --import tsx apps/server/src/worker-main.ts
    ;;
  *)
    exec "$@"
    ;;
esac
