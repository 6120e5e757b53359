/**
 * The audit publisher ({@link io.hostql.publishers.audit.AuditPublisher}): osquery's auditeventpublisher,
 * speaking the kernel's audit netlink protocol directly with JNA (no libaudit).
 *
 * <p>Where hostql goes beyond osquery:
 * <ul>
 *   <li>it can run next to auditd (coexist: the read-only multicast group, kernel 3.16+), and picks that by
 *       itself when another live process owns audit (auto);</li>
 *   <li>every change it makes to the kernel's audit settings (enabled, backlog, rules, the daemon pid) is
 *       written to {@code <database_path>/audit.state} first and undone on stop, or at the next start when
 *       hostqld was killed, so audit is never left on, off, or with stale rules by hostql;</li>
 *   <li>its rules carry the key {@code hostql} and exclude hostqld's own pid;</li>
 *   <li>losses are counted four ways and journaled: the kernel's {@code lost} counter, serial gaps,
 *       receive-buffer overflows (coexist), and events whose end record never came.</li>
 * </ul>
 *
 * <p>Known limits: 32-bit programs on x86_64 are audited for exec only (not their socketcall); a gap in the
 * serials counts events hostql did not receive, including events of other rules (auditd's), and a record
 * the kernel drops after numbering it shows both as a serial gap and in the {@code lost} counter.
 */
package io.hostql.publishers.audit;
