package io.hostql.publishers.inotify;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.config.osquery.FileMonitoring;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** file_paths and exclude_paths as a filter on paths (process_file_events), with file_events' pattern rules. */
class FilePathFilterTest {
    static boolean test(FilePathFilter f, String path) {
        return f.test(path.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void patternsSelectAndExcludesRemove() {
        FilePathFilter f = FilePathFilter.of(new FileMonitoring(
                Map.of("etc", List.of("/etc/%%"), "homes", List.of("/home/%/.ssh/%"), "one", List.of("/srv/app.conf"), "tmp", List.of("/tmp/%.log")),
                Map.of("etc", List.of("/etc/cache/%%")), Set.of()));
        assertThat(test(f, "/etc/passwd")).isTrue();
        assertThat(test(f, "/etc/ssh/sshd_config")).as("%% is recursive").isTrue();
        assertThat(test(f, "/etc/cache/x")).as("excluded").isFalse();
        assertThat(test(f, "/home/ann/.ssh/authorized_keys")).isTrue();
        assertThat(test(f, "/home/ann/.ssh/keys/deep")).as("% is one level").isFalse();
        assertThat(test(f, "/srv/app.conf")).isTrue();
        assertThat(test(f, "/srv/app.conf.new")).isFalse();
        assertThat(test(f, "/tmp/created-later.log")).as("a file created after configure matches too").isTrue();
        assertThat(test(f, "/tmp/x.txt")).isFalse();
        assertThat(test(f, "/var/log/syslog")).isFalse();
        assertThat(f.test(null)).isFalse();
        assertThat(test(f, "relative/etc/passwd")).isFalse();
    }

    @Test
    void noFilePathsSelectsNothing() {
        assertThat(test(FilePathFilter.of(FileMonitoring.none()), "/etc/passwd")).isFalse();
    }
}
