package io.hostql.tables.users;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * authorized_keys: the keys in each user's ~/.ssh/authorized_keys and authorized_keys2, split as
 * sshd reads a line: [options] keytype base64-key [comment].
 */
public final class AuthorizedKeysTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("authorized_keys", "A line-delimited authorized_keys table.")
            .bigint("uid", ADDITIONAL).text("algorithm").text("key").text("options").text("comment").text("key_file")
            .integer("pid_with_namespace", ADDITIONAL, HIDDEN)
            .build();

    private static final String[] FILES = {".ssh/authorized_keys", ".ssh/authorized_keys2"};

    /** Key types sshd accepts in authorized_keys (osquery knows the first five; the others are as real). */
    static final Set<String> KEY_TYPES = Set.of("ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
            "ecdsa-sha2-nistp521", "ssh-dss", "sk-ecdsa-sha2-nistp256@openssh.com", "sk-ssh-ed25519@openssh.com",
            "ssh-rsa-cert-v01@openssh.com", "ssh-dss-cert-v01@openssh.com", "ssh-ed25519-cert-v01@openssh.com",
            "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp384-cert-v01@openssh.com",
            "ecdsa-sha2-nistp521-cert-v01@openssh.com", "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
            "sk-ssh-ed25519-cert-v01@openssh.com");

    /** One parsed line; options and comment may be null. */
    record Key(String algorithm, String key, String options, String comment) {}

    private final Path passwdFile;

    public AuthorizedKeysTable() {
        this(null);
    }

    /** passwdFile: users (and homes) read instead of /etc/passwd (tests). */
    AuthorizedKeysTable(Path passwdFile) {
        this.passwdFile = passwdFile;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        HomeUsers.eachFile(ctx, passwdFile, HomeUsers.READ_MAX, (u, f, content) -> {
            for (Key k : parse(new String(content, StandardCharsets.UTF_8))) {
                rows.add().set("uid", u.uid()).set("algorithm", k.algorithm()).set("key", k.key()).set("options", k.options())
                        .set("comment", k.comment()).set("key_file", f.toString()).set("pid_with_namespace", 0);
            }
        }, FILES);
    }

    static List<Key> parse(String content) {
        List<Key> out = new ArrayList<>();
        for (String raw : content.split("\n")) {
            Key k = parseLine(raw);
            if (k != null) out.add(k);
        }
        return out;
    }

    /** A key line, or null for blanks, comments and lines without a known key type. */
    static Key parseLine(String raw) {
        String line = strip(raw);
        if (line.isEmpty() || line.charAt(0) == '#') return null;
        String options = null;
        int typeStart = 0;
        if (!KEY_TYPES.contains(token(line, 0))) {
            // Options come first: skip to the first blank outside double quotes.
            int i = 0;
            boolean quoted = false;
            for (; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\\' && quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') i++;
                else if (c == '"') quoted = !quoted;
                else if (!quoted && isBlank(c)) break;
            }
            options = line.substring(0, i);
            typeStart = skipBlanks(line, i);
            if (!KEY_TYPES.contains(token(line, typeStart))) {
                // z/OS keys live in a key ring named by an option: the row has options only.
                for (String opt : line.split(",")) if (opt.startsWith("zos-key-ring-label=")) return new Key(null, null, line, null);
                return null;
            }
        }
        String type = token(line, typeStart);
        int keyStart = skipBlanks(line, typeStart + type.length());
        if (keyStart >= line.length()) return null;
        String key = token(line, keyStart);
        int commentStart = skipBlanks(line, keyStart + key.length());
        String comment = commentStart < line.length() ? line.substring(commentStart) : null;
        return new Key(type, key, options, comment);
    }

    private static String token(String s, int from) {
        int i = from;
        while (i < s.length() && !isBlank(s.charAt(i))) i++;
        return s.substring(from, i);
    }

    private static int skipBlanks(String s, int from) {
        int i = from;
        while (i < s.length() && isBlank(s.charAt(i))) i++;
        return i;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static String strip(String s) {
        int a = 0, b = s.length();
        while (a < b && (isBlank(s.charAt(a)) || s.charAt(a) == '\r')) a++;
        while (b > a && (isBlank(s.charAt(b - 1)) || s.charAt(b - 1) == '\r')) b--;
        return s.substring(a, b);
    }
}
