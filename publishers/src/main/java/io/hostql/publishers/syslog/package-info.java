/**
 * The syslog publisher: rsyslog writes every message to a named pipe in osquery's CSV format (template
 * {@code OsqueryCsvFormat}), and hostqld reads the pipe into the journal for {@code syslog_events}.
 */
package io.hostql.publishers.syslog;
