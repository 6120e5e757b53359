# Sourced by bin/hostqli, bin/hostqld and bin/hostqlctl: finds Java and hostql's jars (building them
# on first use from a source checkout) and sets the JVM flags every hostql JVM needs.

HOSTQL_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"

if [ -d "$HOSTQL_HOME/lib" ]; then
  HOSTQL_LIB="$HOSTQL_HOME/lib"                          # installed layout
else
  HOSTQL_LIB="$HOSTQL_HOME/packaging/target/hostql/lib"  # source checkout
  if [ ! -f "$HOSTQL_LIB/.complete" ] && [ -z "${HOSTQL_BUILDING:-}" ]; then
    echo "hostql: first run, building (scripts/build)..." >&2
    "$HOSTQL_HOME/scripts/build" >&2 || { echo "hostql: build failed" >&2; exit 1; }
  fi
fi

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  JAVA="$JAVA_HOME/bin/java"
elif [ -x "$HOSTQL_HOME/runtime/bin/java" ]; then
  JAVA="$HOSTQL_HOME/runtime/bin/java"                   # the tarball's own runtime (jlink)
else
  JAVA="$(command -v java || true)"
  [ -n "$JAVA" ] || { echo "hostql: java not found; install a JDK 17-25 (apt-get install openjdk-17-jre-headless)" >&2; exit 1; }
fi
# The JDK's release file gives its version without starting a JVM (start-up time matters for the shell).
java_release="$(dirname "$(dirname "$(readlink -f "$JAVA")")")/release"
java_major="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$java_release" 2>/dev/null)"
java_major="${java_major:-17}"
if [ "$java_major" -lt 17 ]; then
  echo "hostql: needs Java 17 or newer, found $java_major at $JAVA" >&2
  exit 1
fi

# Chronicle's module access, its chatter off, and JNA's temp dir out of $HOME. The no-phone-home
# flag (-Dchronicle.analytics.disable=true) is on each launcher's own command line, where it is seen.
HOSTQL_JVM_FLAGS=(
  -Dchronicle.announcer.disable=true
  -Dchronicle.disk.monitor.disable=true -Ddisable.perf.info=true
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.util=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  -Djna.tmpdir="${TMPDIR:-/tmp}"
  -XX:-UsePerfData
)
if [ -f "$HOSTQL_LIB/native/libjnidispatch.so" ]; then
  HOSTQL_JVM_FLAGS+=(-Djna.boot.library.path="$HOSTQL_LIB/native" -Djna.nounpack=true)
fi
if [ "$java_major" -ge 24 ]; then
  HOSTQL_JVM_FLAGS+=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
fi
HOSTQL_CLASSPATH="$HOSTQL_LIB/*"
# Java names files in the locale's encoding: UTF-8, so non-ASCII paths survive (C.UTF-8 is always present).
case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in *UTF-8*|*utf8*) ;; *) export LC_ALL=C.UTF-8 ;; esac

# Not root: /var/lib/hostql, /var/log/hostql and /var/run are root's, so a user's own hostqld keeps its
# data, logs and pidfile under ~/.hostql (as osqueryi keeps ~/.osquery), and that user's hostqli reads
# its evented tables there. Flags, a flagfile or HOSTQL_* variables still choose other paths.
if [ "$(id -u)" -ne 0 ] && [ -n "${HOME:-}" ]; then
  hostql_user_dir="$HOME/.hostql"
  case "$(basename "$0")" in
    hostqld)
      export HOSTQL_DATABASE_PATH="${HOSTQL_DATABASE_PATH:-$hostql_user_dir/db}"
      export HOSTQL_LOGGER_PATH="${HOSTQL_LOGGER_PATH:-$hostql_user_dir/log}"
      export HOSTQL_PIDFILE="${HOSTQL_PIDFILE:-$hostql_user_dir/hostqld.pid}" ;;
    hostqli)
      [ -f "$hostql_user_dir/db/events.db" ] && export HOSTQL_DATABASE_PATH="${HOSTQL_DATABASE_PATH:-$hostql_user_dir/db}" ;;
  esac
fi

# Makes the class-data-sharing archive of what the shell loads in $1/hostqli.jsa: about a third off
# hostqli's start-up. It is only valid for the JDK that made it, so the stamp written next to it names
# that JDK and bin/hostqli checks it. scripts/build makes it for a checkout, the packages' postinst at install.
hostql_make_cds() {
  rm -f "$1/hostqli.jsa" "$1/hostqli.jsa.jdk"
  "$JAVA" -Dchronicle.analytics.disable=true "${HOSTQL_JVM_FLAGS[@]}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      -XX:ArchiveClassesAtExit="$1/hostqli.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off -cp "$HOSTQL_CLASSPATH" io.hostql.shell.Hostqli \
      --json "SELECT count(*) FROM osquery_registry; SELECT * FROM processes WHERE pid = 1;" >/dev/null 2>&1 \
    && [ -s "$1/hostqli.jsa" ] && echo "$(readlink -f "$JAVA") $java_major" > "$1/hostqli.jsa.jdk"
}
