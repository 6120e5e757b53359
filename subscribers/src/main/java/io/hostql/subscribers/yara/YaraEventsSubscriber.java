package io.hostql.subscribers.yara;

import io.hostql.config.osquery.OsqueryConfig;
import io.hostql.config.osquery.YaraConfig;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.events.EventType;
import io.hostql.events.FileEvent;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.os.yara.YaraException;
import io.hostql.os.yara.YaraMatches;
import io.hostql.os.yara.YaraRules;
import io.hostql.os.yara.YaraScanner;
import io.hostql.subscribers.Subscriber;
import io.hostql.os.yara.YaraSignatures;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * yara_events, as osquery's: each file created, written or moved in ({@code CREATED}, {@code UPDATED},
 * {@code MOVED_TO}) under a {@code file_paths} category that the config's {@code yara.file_paths} gives
 * signature groups is scanned with those groups' rules, and a row is made when some rule matches.
 * The file is scanned as it is when the event is read (as file_events hashes it). A file that is gone
 * or unreadable by then makes no row; rules that do not compile are logged once per error.
 */
public final class YaraEventsSubscriber extends Subscriber {
    public static final String NAME = "yara_events";
    private static final Row.Layout YARA = Row.layout(EventedTables.YARA_EVENTS);
    private static final Row.Text TARGET_PATH = YARA.text("target_path"), CATEGORY = YARA.text("category"), ACTION = YARA.text("action"),
            MATCHES = YARA.text("matches"), STRINGS = YARA.text("strings"), TAGS = YARA.text("tags");
    private static final Row.Int COUNT = YARA.integer("count"), TIME = YARA.integer("time");

    private volatile OsqueryConfig config;
    private final int scanTimeoutSeconds;
    private record Scanning(YaraRules rules, YaraScanner scanner) {}

    /** This thread's scanner for each group (libyara: a scanner per thread), replaced when the group's rules are. */
    private final Map<String, Scanning> scanners = new HashMap<>();
    /** Within a batch a path is scanned once per category: one write makes CREATED and two UPDATED events. */
    private final Map<ByteBuffer, Map<String, YaraMatches>> batchScans = new HashMap<>();
    private String lastError;

    /** config: the config at start; {@link #configure} gives it the reloaded one (SIGHUP), whose yara key is read again. */
    public YaraEventsSubscriber(Journal journal, EventStore store, OsqueryConfig config, int scanTimeoutSeconds) {
        super(NAME, journal, store);
        this.config = config;
        this.scanTimeoutSeconds = scanTimeoutSeconds;
    }

    /** A reloaded config (SIGHUP): its yara groups and categories apply from the next file event. */
    public void configure(OsqueryConfig next) {
        config = next;
    }

    @Override
    protected Set<EventType> types() {
        return Set.of(EventType.FILE);
    }

    @Override
    protected void batchStarted() {
        batchScans.clear();
    }

    @Override
    protected void handle(JournalEntry entry, Rows out) {
        if (!(entry.event() instanceof FileEvent e) || e.isDirectory()) return;
        String action = e.action();
        if (!"CREATED".equals(action) && !"UPDATED".equals(action) && !"MOVED_TO".equals(action)) return;
        OsqueryConfig c = config;
        YaraConfig yara = c == null ? YaraConfig.EMPTY : c.yara();
        List<String> groups = yara.groupsFor(e.category());
        if (groups.isEmpty()) return;
        Map<String, YaraMatches> byCategory = batchScans.computeIfAbsent(ByteBuffer.wrap(e.path()), k -> new HashMap<>());
        YaraMatches m = byCategory.get(e.category());
        if (m == null) {
            m = scan(e.path(), yara, groups);
            byCategory.put(e.category(), m);
        }
        if (m.count() == 0) return; // osquery adds a row only for a match
        out.add(YARA.row().set(TARGET_PATH, e.path()).set(CATEGORY, e.category()).set(ACTION, action).set(MATCHES, m.matchesText())
                .set(COUNT, m.count()).set(STRINGS, m.stringsText()).set(TAGS, m.tagsText()).set(TIME, e.captureNanos() / 1_000_000_000L));
    }

    /** The matches of every group's rules, merged into one (osquery's row for the event). */
    private YaraMatches scan(byte[] path, YaraConfig yara, List<String> groups) {
        YaraMatches m = new YaraMatches();
        for (String group : groups) {
            try {
                scanner(group, YaraSignatures.SHARED.group(group, yara.group(group))).scanFile(path, m);
            } catch (YaraException ex) {
                if (ex.code() == 3) continue; // the file is gone or unreadable by now: nothing to match
                if (ex.timedOut() || !ex.getMessage().equals(lastError)) log.warn("yara_events: group {}: {}", group, ex.getMessage());
                lastError = ex.getMessage();
            }
        }
        return m;
    }

    private YaraScanner scanner(String group, YaraRules rules) throws YaraException {
        Scanning was = scanners.get(group);
        if (was != null && was.rules() == rules) return was.scanner();
        // The group's rules were compiled again (a rule file changed): its old scanner goes, which lets the cache free them.
        if (was != null) was.scanner().close();
        // Kept for the subscriber's life: close() cannot know that no scan still runs on its thread.
        YaraScanner s = rules.scanner(scanTimeoutSeconds);
        scanners.put(group, new Scanning(rules, s));
        return s;
    }
}
