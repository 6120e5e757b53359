package io.hostql.events;

import java.time.Instant;
import java.util.Map;

/** What the journal's writer is doing now: for hostqlctl status and the status file. */
public record StorageStatus(boolean degraded, long sinceMillis, String reason, long dropped, Map<EventType, Long> droppedByType) {
    static final StorageStatus HEALTHY = new StorageStatus(false, 0, null, 0, Map.of());

    /** One line: "ok", or what is wrong since when and what is not captured. */
    public String describe() {
        if (!degraded) return "journal: ok";
        StringBuilder types = new StringBuilder();
        droppedByType.forEach((t, n) -> types.append(types.length() == 0 ? "" : ", ").append(t.name().toLowerCase(java.util.Locale.ROOT))
                .append(' ').append(n));
        return "journal: DEGRADED since " + Instant.ofEpochMilli(sinceMillis) + ": " + reason + "; " + dropped
                + " events not captured so far" + (types.length() == 0 ? "" : " (" + types + ")")
                + "; a loss record with the count is written when writing works again";
    }
}
