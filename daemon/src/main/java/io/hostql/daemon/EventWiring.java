package io.hostql.daemon;

import io.hostql.config.flags.EventFlags;
import io.hostql.daemon.EventSources.Context;
import io.hostql.daemon.EventSources.PublisherEntry;
import io.hostql.daemon.EventSources.SubscriberEntry;
import io.hostql.publishers.Publisher;
import io.hostql.subscribers.Subscriber;
import io.hostql.tables.self.DaemonState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publishers and subscribers running now, made from {@link EventSources} with no code per source:
 * made at start, started, reconfigured on SIGHUP, listed in osquery_events, and stopped.
 */
final class EventWiring {
    private static final Logger log = LoggerFactory.getLogger(EventWiring.class);

    /** A publisher of the table that runs, and the subscribers made for it. */
    private static final class Running {
        final PublisherEntry entry;
        final Set<String> tables;
        volatile Publisher publisher;

        Running(PublisherEntry entry, Set<String> tables, Publisher publisher) {
            this.entry = entry;
            this.tables = tables;
            this.publisher = publisher;
        }
    }

    private final EventSources sources;
    private final List<Running> running = new ArrayList<>();
    /** Each subscriber made from the table, and its registration. */
    private final Map<Subscriber, SubscriberEntry> made = new IdentityHashMap<>();
    private final Context context;

    private EventWiring(EventSources sources, Context context) {
        this.sources = sources;
        this.context = context;
    }

    /**
     * Makes the publishers the settings and config enable, and their subscribers (added to subscribers, for
     * the daemon to start); a publisher is not started yet. One that cannot be made is logged and left out,
     * unless hostqld cannot run without it.
     */
    static EventWiring create(EventSources sources, Context c, List<Subscriber> subscribers) {
        EventWiring w = new EventWiring(sources, c);
        if (c.settings().get(EventFlags.DISABLE_EVENTS)) return w;
        for (PublisherEntry p : sources.publishers) {
            if (!p.enabled().test(c)) continue;
            Set<String> tables = w.tables(p, c);
            if (tables.isEmpty()) continue;
            Publisher publisher;
            try {
                publisher = p.create().create(c, tables);
            } catch (IllegalStateException e) {
                if (p.blind() == null) throw e;
                log.error("{}: cannot start ({}); {}", p.name(), e.getMessage(), p.blind());
                continue;
            }
            if (publisher == null) continue;
            w.running.add(new Running(p, tables, publisher));
            for (SubscriberEntry s : sources.subscribers) {
                if (!tables.contains(s.name())) continue;
                Subscriber sub = s.create().apply(c);
                w.made.put(sub, s);
                subscribers.add(sub);
            }
        }
        return w;
    }

    /** The publisher's subscribers that its flag and the config's events section enable. */
    private Set<String> tables(PublisherEntry p, Context c) {
        Set<String> out = new LinkedHashSet<>();
        for (SubscriberEntry s : sources.subscribers) {
            if (s.publisher().equals(p.name()) && s.enabled().test(c) && c.config().subscriberEnabled(s.name())) out.add(s.name());
        }
        return out;
    }

    /** Starts the publishers, in the table's order; one that cannot start is logged and closed (or, when required, thrown). */
    void start() throws IOException {
        for (Running r : running) {
            if (r.entry.blind() == null) r.publisher.start();
            else r.publisher = started(r.publisher, r.entry.name(), "cannot start", r.entry.blind());
        }
    }

    /** The publisher, started; or null, with the reason logged, when it cannot start. */
    static Publisher started(Publisher p, String name, String what, String blind) {
        try {
            p.start();
            return p;
        } catch (IOException | RuntimeException e) {
            log.error("{}: {} ({}); {}", name, what, e.getMessage(), blind);
            p.close();
            return null;
        }
    }

    /**
     * SIGHUP: each publisher applies what it can (or is replaced by its registration's reload); turning a
     * table on or off needs its subscriber made with the store, which is done at start only: that is said.
     */
    void reload(Context next) {
        Context before = context; // what runs: a change that needs a restart is compared with the start, as often as it is reloaded
        for (PublisherEntry p : sources.publishers) {
            Running r = find(p.name());
            Set<String> tables = next.settings().get(EventFlags.DISABLE_EVENTS) || !p.enabled().test(next) ? Set.of() : tables(p, next);
            boolean changed = !tables.equals(r == null ? tablesEnabledAtStart(p, before) : r.tables);
            if (changed) {
                log.warn("{}: the tables enabled changed (now {}); that takes effect when hostqld restarts", p.name(),
                        tables.isEmpty() ? "none" : String.join(", ", tables));
            }
            Publisher kept = p.reload().reload(r == null ? null : r.publisher, before, next, tables, changed);
            if (r != null) r.publisher = kept;
        }
        made.forEach((s, e) -> e.reload().accept(s, next));
    }

    /** For a publisher that does not run: the tables that were enabled when the daemon started (none started). */
    private Set<String> tablesEnabledAtStart(PublisherEntry p, Context before) {
        if (before.settings().get(EventFlags.DISABLE_EVENTS) || !p.enabled().test(before)) return Set.of();
        return tables(p, before);
    }

    private Running find(String name) {
        for (Running r : running) if (r.entry.name().equals(name)) return r;
        return null;
    }

    /** The running publisher of this class, or null (for hostql_audit_status). */
    <P extends Publisher> P publisher(Class<P> type) {
        for (Running r : running) if (type.isInstance(r.publisher)) return type.cast(r.publisher);
        return null;
    }

    /** osquery_events: every publisher and subscriber, with its state and counters. */
    List<DaemonState.EventSource> eventSources(List<Subscriber> subscribers) {
        List<DaemonState.EventSource> out = new ArrayList<>();
        for (Running r : running) {
            Publisher p = r.publisher;
            if (p == null) {
                out.add(new DaemonState.EventSource(r.entry.name(), r.entry.name(), "publisher", r.tables.size(), 0, 0, false, 0));
                continue;
            }
            Publisher.Status s = p.status();
            out.add(new DaemonState.EventSource(s.name(), s.name(), "publisher", r.tables.size(), s.events(), 0, s.active(), s.losses()));
        }
        for (Subscriber sub : subscribers) {
            Subscriber.Stats s = sub.stats();
            SubscriberEntry e = made.get(sub);
            out.add(new DaemonState.EventSource(s.name(), e == null ? "journal" : e.publisher(), "subscriber", 1,
                    s.rows(), 0, s.active(), 0)); // a subscriber loses nothing: rows and position commit together
        }
        return out;
    }

    /** Stops the publishers (the subscribers are the daemon's to close, after them). */
    void close() {
        for (Running r : running) {
            Publisher p = r.publisher;
            if (p != null) p.close();
        }
    }
}
