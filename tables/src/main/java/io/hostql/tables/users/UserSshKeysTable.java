package io.hostql.tables.users;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;
import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.os.Dirs;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** user_ssh_keys: the private keys among the files directly in each user's ~/.ssh. */
public final class UserSshKeysTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("user_ssh_keys", "Returns the private keys in the users ~/.ssh directory and whether or not they are encrypted.")
            .bigint("uid", ADDITIONAL, OPTIMIZED).text("path", INDEX).integer("encrypted").text("key_type")
            .text("key_group_name").integer("key_length").integer("key_security_bits")
            .integer("pid_with_namespace", ADDITIONAL, HIDDEN)
            .build();

    /** Private keys are a few KiB; bigger files in ~/.ssh are not read. */
    static final long MAX_KEY_FILE = 1 << 20;

    private final Path passwdFile;

    public UserSshKeysTable() {
        this(null);
    }

    /** passwdFile: users (and homes) read instead of /etc/passwd (tests). */
    UserSshKeysTable(Path passwdFile) {
        this.passwdFile = passwdFile;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        Set<String> paths = ctx.equalsText("path");
        for (Passwd.User u : HomeUsers.of(ctx, passwdFile)) {
            Path dir = HomeUsers.file(u, ".ssh");
            if (dir == null) continue;
            for (Path f : candidates(dir, paths)) {
                byte[] content = HomeUsers.read(u, f, MAX_KEY_FILE);
                PrivateKeys.Info k = content == null ? null : PrivateKeys.parse(content);
                if (k == null) continue;
                rows.add().set("uid", u.uid()).set("path", f.toString()).set("encrypted", k.encrypted() ? 1 : 0)
                        .set("key_type", k.keyType()).set("key_group_name", k.groupName()).set("key_length", k.length())
                        .set("key_security_bits", k.securityBits()).set("pid_with_namespace", 0);
            }
        }
    }

    private static List<Path> candidates(Path dir, Set<String> paths) {
        List<Path> out = new ArrayList<>();
        if (!paths.isEmpty()) {
            for (String p : paths) {
                try {
                    Path f = Path.of(p);
                    if (dir.equals(f.getParent())) out.add(f);
                } catch (InvalidPathException e) {
                    // no file has this path
                }
            }
            return out;
        }
        return Dirs.sorted(dir); // empty without ~/.ssh, or when it is unreadable
    }
}
