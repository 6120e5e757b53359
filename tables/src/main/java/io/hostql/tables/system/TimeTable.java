package io.hostql.tables.system;

import static io.hostql.sql.table.ColumnType.BIGINT;
import io.hostql.os.Libc;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.Locale;

/** time: the current time in UTC, as osquery reports it, plus the local zone's abbreviation from libc. */
public final class TimeTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("time", "Track current date and time in UTC.")
            .text("weekday").integer("year").integer("month").integer("day").integer("hour").integer("minutes")
            .integer("seconds").text("timezone").text("local_timezone").integer("unix_time").text("timestamp")
            .text("datetime").text("iso_8601")
            .otherPlatform("windows", BIGINT, "win_timestamp")
            .build();

    /** asctime(3) layout: "Wed Sep 21 10:27:52 2011". */
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT);
    private static final byte[] PERCENT_Z = "%Z\0".getBytes(StandardCharsets.US_ASCII);

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        long now = Instant.now().getEpochSecond();
        ZonedDateTime t = Instant.ofEpochSecond(now).atZone(ZoneOffset.UTC);
        String iso = ISO.format(t);
        rows.add().set("weekday", t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US))
                .set("year", (long) t.getYear()).set("month", (long) t.getMonthValue())
                .set("day", (long) t.getDayOfMonth()).set("hour", (long) t.getHour())
                .set("minutes", (long) t.getMinute()).set("seconds", (long) t.getSecond())
                .set("timezone", "UTC").set("local_timezone", localZone(now))
                .set("unix_time", now).set("timestamp", ASCTIME.format(t) + " UTC")
                .set("datetime", iso).set("iso_8601", iso);
    }

    /** strftime("%Z") of localtime(now): the abbreviation libc uses (TZ, /etc/localtime), "UTC" if none. */
    static String localZone(long now) {
        byte[] tm = new byte[128];
        if (Libc.localtime_r(new long[] {now}, tm) == null) return "UTC";
        byte[] buf = new byte[64];
        long n = Libc.strftime(buf, buf.length, PERCENT_Z, tm);
        if (n <= 0) return "UTC";
        return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
    }
}
