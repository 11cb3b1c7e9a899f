# Argument checks shared by tools/dist_train.sh and tools/dist_test.sh
# (sourced, not run): a usage line instead of "unbound variable", a clear
# error for a process count that is not a positive integer, and a free port
# when the default one is taken on a single machine.

# die MESSAGE: print "SCRIPT: MESSAGE" and the usage line, exit 2.
die() {
    echo "$(basename "$0"): $1" >&2
    echo "usage: $USAGE" >&2
    exit 2
}

# check_args MIN_ARGS "$@": enough arguments.
check_args() {
    local min=$1
    shift
    [ $# -ge "$min" ] || die "expected at least $min arguments, got $#"
}

# check_file NAME PATH: PATH exists.
check_file() {
    [ -f "$2" ] || die "$1 '$2' is not a file (working directory $(pwd))"
}

# check_procs N: a positive integer.
check_procs() {
    [[ "$1" =~ ^[1-9][0-9]*$ ]] ||
        die "the number of processes must be a positive integer, got '$1'"
}

# port_free PORT: whether PORT can be bound on this machine.
port_free() {
    "$PY" - "$1" <<'PYEOF'
import socket, sys
with socket.socket() as s:
    try:
        s.bind(('', int(sys.argv[1])))
    except OSError:
        sys.exit(1)
PYEOF
}

# pick_port: sets PORT. A PORT given by the user must be free (on one
# machine); the default 29500, when taken, is replaced by a free port.
pick_port() {
    if [ -n "${PORT:-}" ]; then
        if [ "$NNODES" = 1 ] && ! port_free "$PORT"; then
            die "PORT=$PORT is in use on this machine (another run?). Fix: PORT=<a free port> $(basename "$0") ..."
        fi
        return
    fi
    PORT=29500
    if [ "$NNODES" = 1 ] && ! port_free "$PORT"; then
        PORT=$("$PY" -c "import socket; s = socket.socket(); s.bind(('', 0)); print(s.getsockname()[1])")
        echo "$(basename "$0"): port 29500 is in use; using PORT=$PORT" >&2
    fi
}
