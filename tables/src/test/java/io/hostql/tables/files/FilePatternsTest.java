package io.hostql.tables.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilePatternsTest {
    @TempDir
    Path tmp;
    String d;

    /*
     * d/a.txt  d/b.log  d/.hidden  d/my_file  d/myXfile
     * d/sub/c.txt  d/sub/.hid/f  d/sub/deeper/e.txt
     * d/link -> sub   d/sub/back -> ..  (a loop)   d/dangling -> nowhere
     */
    @BeforeEach
    void tree() throws Exception {
        d = tmp.toString();
        for (String f : List.of("a.txt", "b.log", ".hidden", "my_file", "myXfile", "sub/c.txt", "sub/.hid/f", "sub/deeper/e.txt")) {
            Path p = tmp.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, f);
        }
        Files.createSymbolicLink(tmp.resolve("link"), Path.of("sub"));
        Files.createSymbolicLink(tmp.resolve("sub/back"), Path.of(".."));
        Files.createSymbolicLink(tmp.resolve("dangling"), Path.of("nowhere"));
    }

    private List<String> expand(String pattern, FilePatterns.Kind kind) {
        return FilePatterns.expand(pattern, kind).stream().map(p -> p.toString().substring(d.length())).toList();
    }

    @Test
    void percentIsOneLevelSkipsHiddenAndMarksDirectories() {
        assertThat(expand(d + "/%", FilePatterns.Kind.ALL))
                .containsExactly("/a.txt", "/b.log", "/dangling", "/link/", "/myXfile", "/my_file", "/sub/");
    }

    @Test
    void percentWithinAComponent() {
        assertThat(expand(d + "/%.txt", FilePatterns.Kind.ALL)).containsExactly("/a.txt");
        assertThat(expand(d + "/%/%.txt", FilePatterns.Kind.ALL)).containsExactly("/link/c.txt", "/sub/c.txt");
        assertThat(expand(d + "/s%b/c%", FilePatterns.Kind.ALL)).containsExactly("/sub/c.txt");
    }

    @Test
    void underscoreIsLiteralAsInOsquery() {
        assertThat(expand(d + "/my_%", FilePatterns.Kind.ALL)).containsExactly("/my_file");
    }

    @Test
    void hiddenNamesNeedAnExplicitDot() {
        assertThat(expand(d + "/.%", FilePatterns.Kind.ALL)).containsExactly("/.hidden");
        assertThat(expand(d + "/sub/.hid/%", FilePatterns.Kind.ALL)).containsExactly("/sub/.hid/f");
    }

    @Test
    void doublePercentAtTheEndIsRecursiveWithoutEnteringSymlinkedDirectories() {
        assertThat(expand(d + "/%%", FilePatterns.Kind.ALL)).containsExactly(
                "/a.txt", "/b.log", "/dangling", "/link/", "/myXfile", "/my_file", "/sub/",
                "/sub/back/", "/sub/c.txt", "/sub/deeper/", "/sub/deeper/e.txt");
        assertThat(expand(d + "/sub/%%", FilePatterns.Kind.FILES)).containsExactly("/sub/c.txt", "/sub/deeper/e.txt");
        assertThat(expand(d + "/%%", FilePatterns.Kind.DIRECTORIES)).containsExactly("/link/", "/sub/", "/sub/back/", "/sub/deeper/");
    }

    @Test
    void doublePercentInTheMiddleIsOneLevel() {
        assertThat(expand(d + "/%%/c.txt", FilePatterns.Kind.ALL)).containsExactly("/link/c.txt", "/sub/c.txt");
    }

    @Test
    void trailingSlashMatchesDirectoriesOnly() {
        assertThat(expand(d + "/%/", FilePatterns.Kind.ALL)).containsExactly("/link/", "/sub/");
    }

    @Test
    void literalPatternsMustExist() {
        assertThat(expand(d + "/a.txt", FilePatterns.Kind.ALL)).containsExactly("/a.txt");
        assertThat(expand(d + "/sub", FilePatterns.Kind.ALL)).containsExactly("/sub/");
        assertThat(expand(d + "/dangling", FilePatterns.Kind.ALL)).containsExactly("/dangling");
        assertThat(expand(d + "/missing", FilePatterns.Kind.ALL)).isEmpty();
        assertThat(expand(d + "/missing/%", FilePatterns.Kind.ALL)).isEmpty();
        assertThat(expand(d + "/a.txt/%", FilePatterns.Kind.ALL)).isEmpty();
    }

    @Test
    void directoriesArePlainPathsOfExistingDirectories() {
        assertThat(FilePatterns.directories(d + "/%")).containsExactly(d + "/link", d + "/sub");
        assertThat(FilePatterns.directories(d + "/s%/deep%")).containsExactly(d + "/sub/deeper");
        assertThat(FilePatterns.directories(d + "/sub")).containsExactly(d + "/sub");
        assertThat(FilePatterns.directories(d + "/a.txt")).isEmpty();
        assertThat(FilePatterns.directories(d + "/missing/%")).isEmpty();
        assertThat(FilePatterns.directories("/")).containsExactly("/");
    }

    @Test
    void directoriesComeInWalkOrder() throws Exception {
        for (String v : List.of("py3/lib", "py3.11/lib", "py3-x/lib")) Files.createDirectories(tmp.resolve(v));
        // each level sorted by name (py3 < py3-x < py3.11), not whole paths ("py3.11/lib" < "py3/lib")
        assertThat(FilePatterns.directories(d + "/py%/lib")).containsExactly(d + "/py3/lib", d + "/py3-x/lib", d + "/py3.11/lib");
    }

    @Test
    void questionMarkIsOneCharacter() {
        assertThat(expand(d + "/?.txt", FilePatterns.Kind.ALL)).containsExactly("/a.txt");
        assertThat(FilePatterns.matches("?b".getBytes(), "éb".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isTrue();
        assertThat(FilePatterns.matches("%b%".getBytes(), "aaa".getBytes())).isFalse();
        assertThat(FilePatterns.matches("a%b%c".getBytes(), "aXbYbZc".getBytes())).isTrue();
    }

    @Test
    void listIncludesHiddenAndIsSorted() {
        assertThat(FilePatterns.list(FilePath.of(d)).stream().map(e -> new String(e.name())).toList())
                .containsExactly(".hidden", "a.txt", "b.log", "dangling", "link", "myXfile", "my_file", "sub");
        assertThat(FilePatterns.list(FilePath.of(d + "/missing"))).isEmpty();
        assertThat(FilePatterns.list(FilePath.of(d + "/a.txt"))).isEmpty();
    }

    @Test
    void boostParentAndFileName() {
        assertThat(FilePath.of("/etc/passwd").parent()).hasToString("/etc");
        assertThat(FilePath.of("/passwd").parent()).hasToString("/");
        assertThat(FilePath.of("/etc/apt/").parent()).hasToString("/etc/apt");
        assertThat(FilePath.of("/etc//passwd").parent()).hasToString("/etc");
        assertThat(FilePath.of("/").parent()).hasToString("");
        assertThat(FilePath.of("passwd").parent()).hasToString("");
        assertThat(new String(FilePath.of("/etc/passwd").fileName())).isEqualTo("passwd");
        assertThat(new String(FilePath.of("/etc/apt/").fileName())).isEqualTo(".");
        assertThat(new String(FilePath.of("/").fileName())).isEqualTo("/");
        assertThat(FilePath.of("/usr/bin/").child("ls".getBytes())).hasToString("/usr/bin/ls");
        assertThat(FilePath.of("/usr/bin").child("ls".getBytes())).hasToString("/usr/bin/ls");
    }
}
