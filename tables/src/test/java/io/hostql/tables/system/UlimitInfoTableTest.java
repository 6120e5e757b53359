package io.hostql.tables.system;

import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UlimitInfoTableTest {
    @Test
    void matchesPrlimitOfThisProcess() {
        assumeTrue(hasCommand("prlimit"), "prlimit (util-linux) is the witness");
        Map<String, String> witness = new HashMap<>();
        String out = run("prlimit", "--pid", Long.toString(ProcessHandle.current().pid()), "--raw", "--noheadings",
                "-o", "RESOURCE,SOFT,HARD");
        for (String line : out.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 3) witness.put(f[0].toLowerCase(java.util.Locale.ROOT), f[1] + "/" + f[2]);
        }
        List<Map<String, Object>> r = rows("SELECT * FROM ulimit_info");
        assertThat(r).extracting(m -> m.get("type")).containsExactly("as", "core", "cpu", "data", "fsize", "locks",
                "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "sigpending", "stack");
        for (Map<String, Object> m : r) {
            assertThat(m.get("soft_limit") + "/" + m.get("hard_limit")).as((String) m.get("type"))
                    .isEqualTo(witness.get((String) m.get("type")));
        }
    }

    @Test
    void formatsInfinityAndUnsignedValues() {
        assertThat(UlimitInfoTable.format(-1L)).isEqualTo("unlimited");
        assertThat(UlimitInfoTable.format(8388608L)).isEqualTo("8388608");
        assertThat(UlimitInfoTable.format(-2L)).isEqualTo("18446744073709551614");
    }
}
