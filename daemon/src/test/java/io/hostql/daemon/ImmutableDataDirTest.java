package io.hostql.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage check's look at the data dir's flags: a file that appears after a listing is looked at too. */
class ImmutableDataDirTest {
    @TempDir
    Path tmp;

    private static boolean chattr(String flag, Path p) throws Exception {
        Process c = new ProcessBuilder("chattr", flag, p.toString()).redirectErrorStream(true).start();
        return c.waitFor(10, TimeUnit.SECONDS) && c.exitValue() == 0;
    }

    @Test
    void aFileMadeImmutableAfterTheDirWasListedIsFound() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "chattr +i needs root");
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.createDirectories(data.resolve("journal"));
        Path probe = Files.writeString(data.resolve("probe"), "x");
        Assumptions.assumeTrue(chattr("+i", probe), "this filesystem has no inode flags (chattr +i), or chattr is missing");
        chattr("-i", probe);
        Files.writeString(data.resolve("events.db"), "x");
        // Listed long after the dirs last changed: the listing is kept while their modification times stay.
        FileTime old = FileTime.fromMillis(System.currentTimeMillis() - 60_000);
        Files.setLastModifiedTime(data, old);
        Files.setLastModifiedTime(data.resolve("journal"), old);
        ImmutableDataDir check = new ImmutableDataDir(data);
        assertThat(check.problem()).isNull();

        Path appeared = Files.writeString(data.resolve("journal").resolve("metadata.cq4t"), "x");
        try {
            assertThat(chattr("+i", appeared)).isTrue();
            assertThat(check.problem()).as("the journal dir changed: listed again").contains(appeared.toString(), "immutable (chattr +i)");
            chattr("-i", appeared);
            assertThat(check.problem()).isNull();
            assertThat(chattr("+a", probe)).isTrue();
            assertThat(check.problem()).as("a file of the listing kept").contains(probe.toString(), "append-only (chattr +a)");
        } finally {
            chattr("-i", appeared);
            chattr("-a", probe);
        }
    }
}
