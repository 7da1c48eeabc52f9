#!/bin/sh
# Starts coturn with the secret it shares with Frankly, read from a file.
#
# coturn takes its static-auth-secret only in its configuration or on its
# command line, where every local user could read it in `ps`. So this copies
# the configuration (mounted read-only) to a private file, adds the secret's
# line to it, and runs turnserver on that. Frankly reads the same file with
# --turn-secret-file: one secret, in one place.
set -eu
config=${TURN_CONFIG:-/etc/coturn/turnserver.conf}
secret_file=${TURN_SECRET_FILE:-/run/secrets/turn-secret}
run_dir=${TURN_RUN_DIR:-/run/coturn}

# The first line, without the spaces around it: as Frankly reads it.
secret=$(head -n 1 "$secret_file" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
if [ -z "$secret" ]; then
  echo "coturn-with-secret: $secret_file is empty: put the shared secret in it (one line)" >&2
  exit 1
fi
umask 077
mkdir -p "$run_dir"
composed="$run_dir/turnserver.conf"
{
  cat "$config"
  printf '\n# Added from %s at start.\nstatic-auth-secret=%s\n' "$secret_file" "$secret"
} > "$composed"
exec turnserver -c "$composed" "$@"
