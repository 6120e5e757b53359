package io.hostql.tables.packages;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Local accounts from /etc/passwd, for tables that look into users' home directories. */
public final class LocalUsers {
    /** One passwd entry. */
    public record User(String name, long uid, String home) {}

    private LocalUsers() {}

    public static List<User> all() {
        return read(Path.of("/etc/passwd"));
    }

    static List<User> read(Path passwd) {
        String text;
        try {
            text = new String(Files.readAllBytes(passwd), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            return List.of();
        }
        List<User> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("+") || line.startsWith("-")) continue;
            String[] f = line.split(":", -1);
            if (f.length < 6) continue;
            try {
                out.add(new User(f[0], Long.parseLong(f[2]), f[5]));
            } catch (NumberFormatException e) {
                // not a usable entry
            }
        }
        return out;
    }

    /** The entries with this uid (usually one). */
    public static List<User> byUid(long uid) {
        List<User> out = new ArrayList<>();
        for (User u : all()) if (u.uid() == uid) out.add(u);
        return out;
    }
}
