package io.hostql.daemon;

import io.hostql.config.Settings;
import io.hostql.config.flags.AuditFlags;
import io.hostql.config.flags.EventFlags;
import io.hostql.config.flags.TableFlags;
import io.hostql.config.osquery.OsqueryConfig;
import io.hostql.events.Journal;
import io.hostql.evented.EventStore;
import io.hostql.publishers.Publisher;
import io.hostql.os.sysfs.KernelConfig;
import io.hostql.publishers.audit.AuditPublisher;
import io.hostql.publishers.audit.BacklogWaitTime;
import io.hostql.publishers.audit.SecurityRecords;
import io.hostql.publishers.audit.SyscallGroups;
import io.hostql.publishers.inotify.FilePathFilter;
import io.hostql.publishers.inotify.InotifyPublisher;
import io.hostql.publishers.syslog.SyslogPublisher;
import io.hostql.publishers.uevent.UeventPublisher;
import io.hostql.subscribers.Subscriber;
import io.hostql.subscribers.audit.ProcessEventsSubscriber;
import io.hostql.subscribers.audit.ProcessFileEventsSubscriber;
import io.hostql.subscribers.audit.SecurityEventsSubscriber;
import io.hostql.subscribers.audit.SocketEventsSubscriber;
import io.hostql.subscribers.audit.UserEventsSubscriber;
import io.hostql.subscribers.fim.FimSubscriber;
import io.hostql.subscribers.hardware.HardwareSubscriber;
import io.hostql.subscribers.yara.YaraEventsSubscriber;
import io.hostql.tables.yara.YaraOptions;
import io.hostql.subscribers.syslog.SyslogEventsSubscriber;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every event source hostqld can run, by name: publishers (a kernel facility read into the journal) and
 * the subscribers that turn their events into an evented table's rows. The daemon starts what the flags
 * and the config enable from this table alone ({@link EventWiring}); it has no code per source. A
 * publisher runs when at least one of its subscribers is enabled: its own flag below, and the config's
 * {@code events} section ({@code enable_subscribers}, {@code disable_subscribers}); nothing runs with
 * {@code --disable_events}.
 *
 * <p>How to add an evented table: {@code docs/evented-tables.md} walks through every file, by real examples for
 * the three cases: a subscriber over events a publisher already writes (yara_events: the subscriber and one
 * {@code .subscriber(...)} line here); a new publisher with an event kind of its own (syslog_events: also the
 * event record, its {@code EventType} line, a {@link io.hostql.publishers.ReaderThread} and a {@code .publisher(...)}
 * line); a table from more audit records (seccomp_events: also which records audit keeps, in {@link #auditConfig}).
 */
final class EventSources {
    private static final Logger log = LoggerFactory.getLogger(EventSources.class);

    /** What a factory sees: the settings and config (at start, or as reloaded), the journal, the store and the data dir. */
    record Context(Settings settings, OsqueryConfig config, Journal journal, EventStore store, Path data) {}

    /** Makes the publisher for the tables enabled (never empty); null, with the reason logged, when it cannot run. */
    interface PublisherFactory {
        Publisher create(Context c, Set<String> tables);
    }

    /**
     * SIGHUP: what the running publisher (null when it does not run) becomes: itself reconfigured, or a
     * replacement. tablesChanged: the enabled subscribers differ from the running ones (a restart applies that).
     */
    interface Reload {
        Publisher reload(Publisher running, Context before, Context next, Set<String> tables, boolean tablesChanged);
    }

    /** blind: what stays empty when it cannot start (null: hostqld cannot start without it). */
    record PublisherEntry(String name, Predicate<Context> enabled, PublisherFactory create, String blind, Reload reload) {}

    record SubscriberEntry(String name, String publisher, Predicate<Context> enabled, Function<Context, Subscriber> create,
            BiConsumer<Subscriber, Context> reload) {}

    final List<PublisherEntry> publishers = new ArrayList<>();
    final List<SubscriberEntry> subscribers = new ArrayList<>();

    /** The registrations. The order is the order of start-up. */
    static EventSources all() {
        return new EventSources()
                .publisher("uevent", c -> true, EventSources::uevent, "hardware_events stays empty")
                .subscriber("hardware_events", "uevent", c -> true,
                        c -> new HardwareSubscriber(c.journal(), c.store(), c.settings().get(EventFlags.HARDWARE_DISABLED_TYPES)),
                        (s, c) -> ((HardwareSubscriber) s).disabledTypes(c.settings().get(EventFlags.HARDWARE_DISABLED_TYPES)))
                .publisher(new PublisherEntry("audit", c -> !c.settings().get(AuditFlags.DISABLE_AUDIT), EventSources::audit,
                        "process_events, socket_events and user_events are not captured", EventSources::reloadAudit))
                .subscriber("process_events", "audit", c -> c.settings().get(AuditFlags.AUDIT_ALLOW_PROCESS_EVENTS),
                        c -> new ProcessEventsSubscriber(c.journal(), c.store(), c.settings().get(AuditFlags.AUDIT_ALLOW_FORK_PROCESS_EVENTS),
                                c.settings().get(AuditFlags.AUDIT_ALLOW_KILL_PROCESS_EVENTS)))
                .subscriber(ProcessFileEventsSubscriber.NAME, "audit", c -> c.settings().get(AuditFlags.AUDIT_ALLOW_FIM_EVENTS),
                        c -> new ProcessFileEventsSubscriber(c.journal(), c.store(), FilePathFilter.of(c.config().fileMonitoring()), fimOptions(c)),
                        (s, c) -> ((ProcessFileEventsSubscriber) s).configure(FilePathFilter.of(c.config().fileMonitoring()), fimOptions(c)))
                .subscriber("socket_events", "audit", c -> c.settings().get(AuditFlags.AUDIT_ALLOW_SOCKETS),
                        c -> new SocketEventsSubscriber(c.journal(), c.store(), new SocketEventsSubscriber.Options(
                                c.settings().get(AuditFlags.AUDIT_ALLOW_FAILED_SOCKET_EVENTS), c.settings().get(AuditFlags.AUDIT_ALLOW_NULL_ACCEPT_SOCKET_EVENTS),
                                c.settings().get(AuditFlags.AUDIT_ALLOW_UNIX))))
                .subscriber("user_events", "audit", c -> c.settings().get(AuditFlags.AUDIT_ALLOW_USER_EVENTS),
                        c -> new UserEventsSubscriber(c.journal(), c.store()))
                .subscriber(SecurityEventsSubscriber.SECCOMP, "audit", c -> c.settings().get(AuditFlags.AUDIT_ALLOW_SECCOMP_EVENTS),
                        c -> SecurityEventsSubscriber.seccomp(c.journal(), c.store()))
                .subscriber(SecurityEventsSubscriber.SELINUX, "audit", c -> c.settings().get(AuditFlags.AUDIT_ALLOW_SELINUX_EVENTS),
                        c -> SecurityEventsSubscriber.selinux(c.journal(), c.store()))
                .subscriber(SecurityEventsSubscriber.APPARMOR, "audit", c -> c.settings().get(AuditFlags.AUDIT_ALLOW_APPARMOR_EVENTS),
                        c -> SecurityEventsSubscriber.apparmor(c.journal(), c.store()))
                .publisher("inotify", c -> true, (c, tables) -> new InotifyPublisher(c.config().fileMonitoring(), c.journal()), null)
                .subscriber("file_events", "inotify", c -> c.settings().get(EventFlags.ENABLE_FILE_EVENTS),
                        c -> new FimSubscriber(c.journal(), c.store(), c.settings().get(TableFlags.READ_MAX)))
                // A tailer more on the file events, where the config (at start) gives yara groups to some category.
                .subscriber(YaraEventsSubscriber.NAME, "inotify",
                        c -> c.settings().get(EventFlags.ENABLE_FILE_EVENTS) && !c.config().yara().filePaths().isEmpty(),
                        c -> new YaraEventsSubscriber(c.journal(), c.store(), c.config(), YaraOptions.of(c.settings()).timeoutSeconds()),
                        (s, c) -> ((YaraEventsSubscriber) s).configure(c.config()))
                .publisher("syslog", c -> c.settings().get(EventFlags.ENABLE_SYSLOG), (c, tables) -> SyslogPublisher.fromSettings(c.settings(), c.journal()),
                        "syslog_events stays empty")
                .subscriber("syslog_events", "syslog", c -> true, c -> new SyslogEventsSubscriber(c.journal(), c.store()));
    }

    EventSources publisher(PublisherEntry e) {
        publishers.add(e);
        return this;
    }

    /** A publisher whose reload is {@link Publisher#reconfigure}. */
    EventSources publisher(String name, Predicate<Context> enabled, PublisherFactory create, String blind) {
        return publisher(new PublisherEntry(name, enabled, create, blind, (running, before, next, tables, changed) -> {
            if (running != null) running.reconfigure(next.config(), next.settings());
            return running;
        }));
    }

    EventSources subscriber(String name, String publisher, Predicate<Context> enabled, Function<Context, Subscriber> create) {
        return subscriber(name, publisher, enabled, create, (s, c) -> {});
    }

    EventSources subscriber(String name, String publisher, Predicate<Context> enabled, Function<Context, Subscriber> create,
            BiConsumer<Subscriber, Context> reload) {
        if (publishers.stream().noneMatch(p -> p.name().equals(publisher))) {
            throw new IllegalArgumentException("subscriber " + name + ": no publisher " + publisher + " is registered before it");
        }
        subscribers.add(new SubscriberEntry(name, publisher, enabled, create, reload));
        return this;
    }

    // ---------------------------------------------------------------------------------------------
    // uevent

    /** The uevent publisher as the flags ask (the socket is bound now, so nothing is missed from here on). */
    private static Publisher uevent(Context c, Set<String> tables) {
        UeventPublisher.Source source;
        try {
            source = UeventPublisher.Source.parse(c.settings().get(EventFlags.HARDWARE_EVENTS_SOURCE));
        } catch (IllegalArgumentException e) {
            log.error("{}; using auto", e.getMessage());
            source = UeventPublisher.Source.AUTO;
        }
        long buffer = c.settings().get(EventFlags.HARDWARE_EVENTS_RECEIVE_BUFFER); // 4096 .. 2^30, as declared
        return new UeventPublisher(source, (int) buffer, c.journal());
    }

    // ---------------------------------------------------------------------------------------------
    // audit

    private static Publisher audit(Context c, Set<String> tables) {
        AuditPublisher.Config config = auditConfig(c, tables);
        return config == null ? null : new AuditPublisher(config, c.journal());
    }

    /** What audit should be for the tables enabled, from the flags and config options; null (logged) when audit_mode is wrong. */
    static AuditPublisher.Config auditConfig(Context c, Set<String> tables) {
        Settings settings = c.settings();
        try {
            BacklogWaitTime.check(settings.get(AuditFlags.AUDIT_BACKLOG_WAIT_TIME), KernelConfig::running); // this kernel's HZ, when it matters
            return new AuditPublisher.Config(AuditPublisher.Mode.parse(settings.get(AuditFlags.AUDIT_MODE)), settings.get(AuditFlags.AUDIT_ALLOW_CONFIG),
                    tables.contains(ProcessEventsSubscriber.NAME), tables.contains(SocketEventsSubscriber.NAME),
                    settings.get(AuditFlags.AUDIT_ALLOW_ACCEPT_SOCKET_EVENTS), tables.contains(UserEventsSubscriber.NAME),
                    (int) settings.get(AuditFlags.AUDIT_BACKLOG_LIMIT), (int) settings.get(AuditFlags.AUDIT_BACKLOG_WAIT_TIME), c.data(),
                    new SecurityRecords(tables.contains(SecurityEventsSubscriber.SECCOMP), tables.contains(SecurityEventsSubscriber.SELINUX),
                            tables.contains(SecurityEventsSubscriber.APPARMOR)),
                    new SyscallGroups(tables.contains(ProcessEventsSubscriber.NAME) && settings.get(AuditFlags.AUDIT_ALLOW_FORK_PROCESS_EVENTS),
                            tables.contains(ProcessEventsSubscriber.NAME) && settings.get(AuditFlags.AUDIT_ALLOW_KILL_PROCESS_EVENTS),
                            tables.contains(ProcessFileEventsSubscriber.NAME)),
                    settings.get(AuditFlags.AUDIT_BACKLOG_LIMIT_MAX), settings.get(AuditFlags.AUDIT_READER_PRIORITY_BOOST));
        } catch (IllegalArgumentException e) {
            log.error("audit: {}; process_events, socket_events and user_events are not captured", e.getMessage());
            return null;
        }
    }

    private static ProcessFileEventsSubscriber.Options fimOptions(Context c) {
        return new ProcessFileEventsSubscriber.Options(c.settings().get(AuditFlags.AUDIT_FIM_SHOW_ACCESSES),
                c.settings().get(AuditFlags.AUDIT_SHOW_PARTIAL_FIM_EVENTS), c.settings().get(AuditFlags.AUDIT_FIM_DEBUG));
    }

    /**
     * SIGHUP with other audit options: a new publisher with the new mode, rules and backlog (the old one
     * puts back the kernel state it found first). Turning an audit table on or off needs its subscriber
     * created or stopped with the store, which is done at start only: that is said, not ignored.
     */
    private static Publisher reloadAudit(Publisher running, Context before, Context next, Set<String> tables, boolean tablesChanged) {
        if (next.settings().get(AuditFlags.DISABLE_AUDIT) != before.settings().get(AuditFlags.DISABLE_AUDIT)) {
            return running; // declared at restart: the daemon's reload said so (Settings.restartNeeded)
        }
        if (running == null || tablesChanged) return running; // off, or it could not start; or said by the caller
        AuditPublisher audit = (AuditPublisher) running;
        AuditPublisher.Config want = auditConfig(next, tables);
        AuditPublisher.Config have = audit.config();
        if (want == null) {
            log.warn("audit: the audit settings are not valid; the running ones are kept until hostqld restarts");
            return running;
        }
        if (want.equals(have)) return running;
        log.info("audit: settings changed; restarting the audit publisher");
        audit.close();
        Publisher restarted = EventWiring.started(new AuditPublisher(want, next.journal()), "audit", "cannot restart with the new settings",
                "process_events, socket_events and user_events are not captured");
        if (restarted == null) {
            restarted = EventWiring.started(new AuditPublisher(have, next.journal()), "audit", "cannot restart with the previous settings either",
                    "process_events, socket_events and user_events are not captured");
        }
        return restarted;
    }
}
