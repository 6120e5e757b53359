package io.hostql.tables.addons;

import io.hostql.os.Libc;
import io.hostql.tables.users.HomeUsers;
import io.hostql.tables.users.Passwd;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Reads for the add-on tables, which run as root over files users control: a file in the user's
 * home is read under {@link HomeUsers#read}'s rules (the user's own, no link out of the home), and
 * a file outside it (an unpacked extension elsewhere, a profile given by absolute path) only when
 * it is world-readable, so no user learns through these tables what they could not read anyway.
 */
final class UserFiles {
    private UserFiles() {}

    /** The file's bytes, or null when missing, unreadable, too big or not the user's to show. */
    static byte[] read(Passwd.User u, Path f) {
        Path real = readable(u, f);
        if (real == null) return null;
        try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
            byte[] out = in.readNBytes((int) HomeUsers.READ_MAX + 1);
            return out.length > HomeUsers.READ_MAX ? null : out;
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** The real path of a regular file the user may have read (see the class comment), or null. */
    static Path readable(Passwd.User u, Path f) {
        Path inHome = HomeUsers.guarded(u, f);
        if (inHome != null) return inHome;
        try {
            Path real = f.toRealPath();
            if (real.startsWith(Path.of(u.directory()).toRealPath())) return null;
            int mode = (Integer) Files.getAttribute(real, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & Libc.S_IFMT) == Libc.S_IFREG && (mode & 04) != 0 ? real : null;
        } catch (IOException | InvalidPathException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    /** The real path when it exists, else the path as given (osquery's canonical-or-same). */
    static Path canonical(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException | SecurityException e) {
            return p;
        }
    }
}
