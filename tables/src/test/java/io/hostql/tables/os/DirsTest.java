package io.hostql.tables.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirsTest {
    @Test
    void sortedEntriesAndRegularFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("b"), "");
        Files.writeString(dir.resolve(".hidden"), "");
        Files.createDirectory(dir.resolve("a"));
        Files.createSymbolicLink(dir.resolve("c"), Path.of("b"));
        Files.createSymbolicLink(dir.resolve("d"), Path.of("nowhere"));
        assertThat(Dirs.sorted(dir)).extracting(p -> p.getFileName().toString()).containsExactly(".hidden", "a", "b", "c", "d");
        assertThat(Dirs.regularFiles(dir)).extracting(p -> p.getFileName().toString()).containsExactly(".hidden", "b", "c");
        assertThat(Dirs.sorted(dir.resolve("missing"))).isEmpty();
        assertThat(Dirs.sorted(dir.resolve("b"))).isEmpty();
        assertThat(Dirs.regularFiles(dir.resolve("missing"))).isEmpty();
    }
}
