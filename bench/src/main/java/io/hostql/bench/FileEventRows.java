package io.hostql.bench;

import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;

/** file_events rows for the benchmarks that fill events.db directly, filled by column name as FimSubscriber fills them. */
final class FileEventRows {
    private FileEventRows() {}

    static final Row.Layout FILE = Row.layout(EventedTables.FILE_EVENTS);
    static final Row.Text TARGET_PATH = FILE.text("target_path"), CATEGORY = FILE.text("category"), ACTION = FILE.text("action"),
            MODE = FILE.text("mode"), MD5 = FILE.text("md5"), SHA1 = FILE.text("sha1"), SHA256 = FILE.text("sha256");
    static final Row.Int TRANSACTION_ID = FILE.integer("transaction_id"), INODE = FILE.integer("inode"), UID = FILE.integer("uid"),
            GID = FILE.integer("gid"), SIZE = FILE.integer("size"), ATIME = FILE.integer("atime"), MTIME = FILE.integer("mtime"),
            CTIME = FILE.integer("ctime"), HASHED = FILE.integer("hashed"), TIME = FILE.integer("time");

    /** A root-owned 0644 file's row, its times all fileTime, not hashed; eid is the subscriber's eid number. */
    static Row file(String path, String category, String action, long inode, long size, long fileTime, long time, long eid) {
        Row row = FILE.row().set(TARGET_PATH, path).set(CATEGORY, category).set(ACTION, action).set(TRANSACTION_ID, 0).set(INODE, inode)
                .set(UID, 0).set(GID, 0).set(MODE, "0644").set(SIZE, size).set(ATIME, fileTime).set(MTIME, fileTime).set(CTIME, fileTime)
                .set(HASHED, 0).set(TIME, time);
        row.eid(String.format("%010d", eid));
        return row;
    }
}
