package io.hostql.tables.system;

import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.files.FileStat;
import io.hostql.tables.users.Passwd;
import java.nio.file.Path;

/**
 * shared_memory: System V shared memory segments, from /proc/sysvipc/shm (the same shmid_ds fields
 * osquery reads with shmctl(SHM_STAT), for every segment of this IPC namespace). As osquery, the
 * owner and creator uid are left NULL when no user has them, permissions is lsperms of the whole mode
 * (SHM_DEST and SHM_LOCKED included), status is "dest" for a segment marked for removal.
 */
public final class SharedMemoryTable implements Table {
    static final Path PROC_SHM = Path.of("/proc/sysvipc/shm");
    private static final int SHM_DEST = 01000, SHM_LOCKED = 02000;

    private static final TableSchema SCHEMA = TableSchema.builder("shared_memory", "OS shared memory regions.")
            .integer("shmid").bigint("owner_uid").bigint("creator_uid").bigint("pid").bigint("creator_pid")
            .bigint("atime").bigint("dtime").bigint("ctime").text("permissions").bigint("size").integer("attached")
            .text("status").integer("locked")
            .build();

    private final Path source;

    public SharedMemoryTable() {
        this(PROC_SHM);
    }

    SharedMemoryTable(Path source) {
        this.source = source;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        String text = SysFiles.readRaw(source); // absent without CONFIG_SYSVIPC: no rows
        if (text == null) return;
        String[] lines = text.split("\n");
        for (int i = 1; i < lines.length; i++) { // line 0 is the header
            String[] f = SysFiles.WS.split(lines[i].strip());
            if (f.length < 14) continue;
            // key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime [rss swap]
            int mode = Integer.parseInt(f[2], 8);
            long uid = Long.parseLong(f[7]);
            long cuid = Long.parseLong(f[9]);
            rows.add().set("shmid", Long.parseLong(f[1]))
                    .set("owner_uid", Passwd.nssByUid(uid) != null ? uid : null)
                    .set("creator_uid", Passwd.nssByUid(cuid) != null ? cuid : null)
                    .set("pid", Long.parseLong(f[5])).set("creator_pid", Long.parseLong(f[4]))
                    .set("atime", Long.parseLong(f[11])).set("dtime", Long.parseLong(f[12])).set("ctime", Long.parseLong(f[13]))
                    .set("permissions", FileStat.lsperms(mode))
                    .set("size", Long.parseUnsignedLong(f[3]))
                    .set("attached", Long.parseLong(f[6]))
                    .set("status", (mode & SHM_DEST) != 0 ? "dest" : "")
                    .set("locked", (mode & SHM_LOCKED) != 0 ? 1L : 0L);
        }
    }
}
