package io.hostql.os.yara;

import java.util.ArrayList;
import java.util.List;

/**
 * What one or more scans of a target matched, accumulated as osquery's YARA callback does: the rule
 * identifiers, each match of a (non-private) string as {@code $id:hexoffset}, and the rules' tags.
 * Scanning the same target with several rule sets into one instance merges their matches (yara_events).
 */
public final class YaraMatches {
    private final List<String> rules = new ArrayList<>();
    private final List<String> strings = new ArrayList<>();
    private final List<String> tags = new ArrayList<>();

    void rule(String identifier) {
        rules.add(identifier);
    }

    void string(String identifier, long offset) {
        strings.add(identifier + ":" + Long.toHexString(offset));
    }

    void tag(String tag) {
        tags.add(tag);
    }

    /** The number of matching rules. */
    public int count() {
        return rules.size();
    }

    public List<String> rules() {
        return List.copyOf(rules);
    }

    /** osquery's matches column: the rule identifiers, comma-separated. */
    public String matchesText() {
        return String.join(",", rules);
    }

    /** osquery's strings column: {@code $id:hexoffset}, comma-separated. */
    public String stringsText() {
        return String.join(",", strings);
    }

    /** osquery's tags column: the matching rules' tags, comma-separated. */
    public String tagsText() {
        return String.join(",", tags);
    }
}
