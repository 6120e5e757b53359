package io.hostql.tables.users;

import static io.hostql.sql.table.ColumnType.INTEGER;
import static io.hostql.sql.table.ColumnType.TEXT;
import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;
import static io.hostql.sql.table.ColumnOption.INDEX;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * users: local users from /etc/passwd, as osquery reads them (it avoids NSS so that a scan never
 * queries LDAP). {@code include_remote = 1} asks NSS instead (getpwent/getpwuid/getpwnam).
 */
public final class UsersTable implements Table {
    static final TableSchema SCHEMA = TableSchema.builder("users", "Local user accounts (including domain accounts that have logged on locally (Windows)).")
            .bigint("uid", INDEX).bigint("gid").bigint("uid_signed").bigint("gid_signed")
            .text("username", ADDITIONAL).text("description").text("directory").text("shell").text("uuid", INDEX)
            .integer("pid_with_namespace", ADDITIONAL, HIDDEN).integer("include_remote", ADDITIONAL, HIDDEN)
            .otherPlatform("windows", TEXT, "type").otherPlatform("darwin", INTEGER, "is_hidden")
            .build();

    private final Path passwdFile;

    public UsersTable() {
        this(null);
    }

    /** passwdFile: read instead of /etc/passwd (tests); null for the system file. */
    public UsersTable(Path passwdFile) {
        this.passwdFile = passwdFile;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        Set<String> names = ctx.equalsText("username");
        Set<Long> uids = ctx.equalsLong("uid");
        if (ctx.equalsLong("include_remote").contains(1L)) {
            for (Passwd.User u : remote(names, uids)) emit(rows, u, 1);
            return;
        }
        Passwd db = passwdFile == null ? Passwd.system() : Passwd.read(passwdFile);
        for (Passwd.User u : db.users()) {
            // osquery filters by username when given, else by uid
            if (!names.isEmpty() ? !names.contains(u.name()) : !uids.isEmpty() && !uids.contains(u.uid())) continue;
            emit(rows, u, 0);
        }
    }

    private static List<Passwd.User> remote(Set<String> names, Set<Long> uids) {
        List<Passwd.User> out = new ArrayList<>();
        if (!uids.isEmpty()) {
            for (long uid : uids) {
                if (uid < 0 || uid > 0xFFFFFFFFL) continue;
                Passwd.User u = Passwd.nssByUid(uid);
                if (u != null) out.add(u);
            }
        } else if (!names.isEmpty()) {
            for (String name : names) {
                if (name.indexOf('\0') >= 0) continue;
                Passwd.User u = Passwd.nssByName(name);
                if (u != null) out.add(u);
            }
        } else {
            out.addAll(Passwd.nssAll());
        }
        return out;
    }

    static void emit(RowSink rows, Passwd.User u, int includeRemote) {
        rows.add().set("uid", u.uid()).set("gid", u.gid()).set("uid_signed", u.uidSigned()).set("gid_signed", u.gidSigned())
                .set("username", u.name()).set("description", u.description()).set("directory", u.directory())
                .set("shell", u.shell()).set("pid_with_namespace", 0).set("include_remote", includeRemote);
    }
}
