# Shared by scripts/cluster.sh and scripts/hdfs.sh (sourced; each defines log()): background daemons tracked by
# pid files.

# The pid in FILE if that process still runs PATTERN (a stale file or a reused pid is not ours).
running_pid() {
  local pid
  pid="$(cat "$1" 2>/dev/null)" || return 1
  [[ -n "$pid" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$2" && echo "$pid"
}

# SIGTERM to PID, then SIGKILL if it has not ended after 20 s. NAME is for the log.
terminate() {
  local pid="$1" name="$2"
  kill "$pid"
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) did not stop on SIGTERM; killing it"
    kill -9 "$pid"
  fi
  log "stopped $name (pid $pid)"
}
