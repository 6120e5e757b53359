# Sourced by test-packages and bench-packages, which install the .deb on the machine they run on and purge it:
# they run only where no hostql install and no hostql data is there, and they put back the empty dirs they found
# (a test that ran hostqld as root leaves an empty /var/log/hostql: its launcher makes the log dir).
HOST_DIRS=(/etc/hostql /var/lib/hostql /var/log/hostql /usr/share/hostql /var/cache/hostql)
host_empty_dirs=()

# Prints why the machine is not free for an install (and returns 1), or remembers the empty dirs.
host_free_for_install() {
  if dpkg-query -W -f='${Status}' hostql 2>/dev/null | grep -q installed; then
    echo "a hostql package is already installed here; nothing here touches an install it did not make"; return 1
  fi
  local d
  for d in "${HOST_DIRS[@]}"; do
    [ -e "$d" ] || continue
    [ -d "$d" ] && [ -z "$(ls -A "$d")" ] || { echo "$d exists already and is not empty; nothing here touches what it did not make"; return 1; }
    host_empty_dirs+=("$(stat -c %a "$d") $d")
  done
}

# After the purge: the empty dirs as they were.
host_restore_dirs() {
  local e
  for e in "${host_empty_dirs[@]}"; do mkdir -p "${e#* }" && chmod "${e%% *}" "${e#* }"; done
}
