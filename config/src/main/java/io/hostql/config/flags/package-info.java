/**
 * Every hostql flag, declared once, grouped by concern in the {@code *Flags} classes. A declaration
 * gives the osquery flag name, the type, the default, the range or choices, whether SIGHUP applies a
 * change in the config's options ({@link io.hostql.config.flags.Reload}), and a one-line description;
 * parsing (every source), {@code --help} ({@link io.hostql.config.flags.FlagHelp}), {@code osquery_flags}
 * and {@code reference.conf} ({@link io.hostql.config.flags.ReferenceConf}) all come from it.
 *
 * <p>Adding a flag is one line in its group's class, e.g. in {@code RemoteFlags}:
 * <pre>{@code
 * public static final Setting<Long> TLS_FOO_TIMEOUT = GROUP.int64("tls_foo_timeout", 30, 1, Long.MAX_VALUE, AT_RESTART,
 *         "Seconds to wait for foo (hostql)");
 * }</pre>
 * then {@code settings.get(RemoteFlags.TLS_FOO_TIMEOUT)} where it is used, its line removed from
 * {@code osquery-flags.tsv} if osquery has it, and {@code reference.conf} regenerated:
 * {@code ./mvnw -B -o -ntp -pl config verify -Dtest=ReferenceConfTest -Dhostql.writeReferenceConf=true}.
 * A new group is a class like these, listed once in {@link io.hostql.config.flags.AllFlags#GROUPS}.
 */
package io.hostql.config.flags;
