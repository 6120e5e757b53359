package io.hostql.publishers.inotify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** file_paths and exclude_paths semantics, without the kernel. */
class PatternsTest {
    final List<String> problems = new ArrayList<>();

    FilePattern p(String text) {
        return FilePattern.compile("c", text, false, problems);
    }

    static byte[][] c(String path) {
        return PathBytes.components(PathBytes.utf8(path));
    }

    @Test
    void wildcardRules() {
        FilePattern rec = p("/etc/%%");
        assertThat(rec.recursive).isTrue();
        assertThat(rec.matchesPath(c("/etc/passwd"))).isTrue();
        assertThat(rec.matchesPath(c("/etc/ssh/sshd_config"))).isTrue();
        assertThat(rec.matchesPath(c("/var/x"))).isFalse();
        assertThat(rec.prefixMatches(c("/"))).isTrue();
        assertThat(rec.prefixMatches(c("/etc/a/b/c"))).isTrue();
        assertThat(rec.prefixMatches(c("/usr"))).isFalse();

        FilePattern one = p("/home/%/.ssh/%");
        assertThat(one.matchesPath(c("/home/bob/.ssh/authorized_keys"))).isTrue();
        assertThat(one.matchesPath(c("/home/bob/.ssh/sub/x"))).as("% is one level").isFalse();
        assertThat(one.matchesPath(c("/home/bob/x/authorized_keys"))).isFalse();
        assertThat(one.prefixMatches(c("/home/alice"))).isTrue();
        assertThat(one.prefixMatches(c("/home/alice/.ssh"))).isTrue();
        assertThat(one.prefixMatches(c("/home/alice/.ssh/sub"))).isFalse();

        FilePattern trailing = p("/var/log/");
        assertThat(trailing.matchesPath(c("/var/log/syslog"))).isTrue();
        assertThat(trailing.matchesPath(c("/var/log"))).isFalse();

        FilePattern partial = p("/bin/%sh");
        assertThat(partial.matchesPath(c("/bin/bash"))).isTrue();
        assertThat(partial.matchesPath(c("/bin/shx"))).isFalse();
        FilePattern prefix = p("/etc/app%");
        assertThat(prefix.matchesPath(c("/etc/app"))).isTrue();
        assertThat(prefix.matchesPath(c("/etc/apparmor.d"))).isTrue();
        assertThat(prefix.matchesPath(c("/etc/xapp"))).isFalse();
        FilePattern glob = p("/etc/*.conf");
        assertThat(glob.matchesPath(c("/etc/a.conf"))).isTrue();
        assertThat(glob.matchesPath(c("/etc/a.confx"))).isFalse();

        FilePattern literal = p("/etc/hosts");
        assertThat(literal.literal).isTrue();
        assertThat(literal.matchesPath(c("/etc/hosts"))).isTrue();
        assertThat(literal.matchesPath(c("/etc/hosts/inside"))).as("an existing directory means its contents").isTrue();
        assertThat(literal.matchesPath(c("/etc/hosts/inside/deeper"))).isFalse();
        assertThat(problems).isEmpty();
    }

    @Test
    void invalidPatternsAreRejectedWithAClearReason() {
        assertThat(p("/Users/%%/Configuration.conf")).isNull();
        assertThat(p("etc/%%")).isNull();
        assertThat(p("~/x")).isNull();
        assertThat(p("/etc/ab%%")).isNull();
        assertThat(p("/")).isNull();
        assertThat(p("/a/../b")).isNull();
        assertThat(problems).hasSize(6);
        assertThat(problems.get(0)).contains("file_paths[c]").contains("/Users/%%/Configuration.conf").contains("last component");
        assertThat(problems.get(1)).contains("absolute");
        assertThat(p("/%%")).isNotNull();
        assertThat(p("/tmp/%%/")).isNotNull().matches(x -> x.recursive);
    }

    @Test
    void excludesCoverTheSubtreeAndOnlyWholeComponentWildcards() {
        ExcludeSet ex = ExcludeSet.compile(Map.of(
                "a", List.of("/tmp/skip/", "/tmp/cache/%%", "/home/%/node_modules", "/tmp/xyz%"),
                "b", List.of("/etc/shadow")), problems);
        assertThat(problems).isEmpty();
        assertThat(ex.excluded(c("/tmp/skip"))).isTrue();
        assertThat(ex.excluded(c("/tmp/skip/a/b/c"))).isTrue();
        assertThat(ex.excluded(c("/tmp/skipper"))).isFalse();
        assertThat(ex.excluded(c("/tmp/cache"))).as("/dir/%% excludes what is inside").isFalse();
        assertThat(ex.excluded(c("/tmp/cache/x/y"))).isTrue();
        assertThat(ex.noWatch(c("/tmp/cache"))).as("but the directory gets no watch").isTrue();
        assertThat(ex.excluded(c("/home/bob/node_modules/x"))).isTrue();
        assertThat(ex.excluded(c("/home/bob/src/node_modules"))).isFalse();
        assertThat(ex.excluded(c("/tmp/xyzabc"))).as("partial names are literal").isFalse();
        assertThat(ex.excluded(c("/tmp/xyz%"))).isTrue();
        assertThat(ex.excluded(c("/etc/shadow"))).isTrue();
        assertThat(ex.noWatch(c("/etc"))).isFalse();
        assertThat(ex.excludedChildren(c("/etc"))).containsExactly(new PathBytes.Key(PathBytes.utf8("shadow")));
        assertThat(ex.noWatch(c("/home/bob/node_modules"))).isTrue();
        assertThat(ex.noWatch(c("/tmp/skip/sub"))).isTrue();
    }

    @Test
    void pathBytes() {
        assertThat(PathBytes.child(PathBytes.ROOT, PathBytes.utf8("etc"))).isEqualTo(PathBytes.utf8("/etc"));
        assertThat(PathBytes.child(PathBytes.utf8("/etc"), PathBytes.utf8("x"))).isEqualTo(PathBytes.utf8("/etc/x"));
        assertThat(PathBytes.parent(PathBytes.utf8("/etc/x"))).isEqualTo(PathBytes.utf8("/etc"));
        assertThat(PathBytes.parent(PathBytes.utf8("/etc"))).isEqualTo(PathBytes.ROOT);
        assertThat(PathBytes.parent(PathBytes.ROOT)).isNull();
        assertThat(c("//a//b/")).hasDimensions(2, 1);
        assertThat(Component.glob(PathBytes.utf8("a%b%c"), PathBytes.utf8("aXbYc"))).isTrue();
        assertThat(Component.glob(PathBytes.utf8("a%b%c"), PathBytes.utf8("aXbY"))).isFalse();
    }
}
