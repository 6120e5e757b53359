package io.hostql.tables.security;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * carbon_black_info against a fixture: no Carbon Black sensor can be obtained, so the test writes
 * the files its Linux sensor keeps in /var/lib/cb (sensor.id, sensorsettings.ini, queue files) in
 * the documented formats. FIXTURE ONLY: there is no independent witness.
 */
class CarbonBlackInfoTableTest {
    @Test
    void readsASensorDirectory(@TempDir Path dir) throws Exception {
        Path cb = dir.resolve("cb");
        write(cb.resolve("sensor.id"), "0x0000000000003A"); // 16 bytes: osquery takes the id from the hex after the 11th
        write(cb.resolve("sensorsettings.ini"), "; written by the sensor\n[CB]\nConfigName=Default Group\nCollectStoreFiles=1\n"
                + "CollectModuleLoads=1\nCollectModuleInfo=0\nCollectFileMods=1\nCollectRegMods=0\nCollectNetConns=1\n"
                + "CollectProcesses=1\nCollectCrossProcess=0\nCollectEmetEvents=0\n"
                + "SensorBackendServer=https%3A//cb.example.org%3A443\n[Other]\nConfigName=not this one\n");
        write(cb.resolve("store/abc/filedata"), "x".repeat(100));
        write(cb.resolve("store/abc/metadata"), "x".repeat(20));
        write(cb.resolve("events/events.1"), "x".repeat(7));
        write(cb.resolve("active-event.log"), "x".repeat(3));
        write(cb.resolve("eventlog_0001"), "x".repeat(5));
        List<Map<String, Object>> r = generate(new CarbonBlackInfoTable(cb));
        assertThat(r).hasSize(1);
        assertThat(r.get(0)).containsEntry("sensor_id", 0x3AL).containsEntry("config_name", "Default Group")
                .containsEntry("collect_store_files", 1L).containsEntry("collect_module_loads", 1L)
                .containsEntry("collect_module_info", 0L).containsEntry("collect_file_mods", 1L)
                .containsEntry("collect_net_conns", 1L).containsEntry("collect_processes", 1L)
                .containsEntry("collect_cross_processes", 0L).containsEntry("collect_data_file_writes", 0L)
                .containsEntry("protection_disabled", 0L).containsEntry("sensor_ip_addr", "")
                .containsEntry("sensor_backend_server", "https://cb.example.org:443")
                .containsEntry("binary_queue", 120L).containsEntry("event_queue", 15L);
    }

    @Test
    void noSensorNoRows(@TempDir Path dir) throws Exception {
        assertThat(generate(new CarbonBlackInfoTable(dir.resolve("absent")))).isEmpty();
        // a directory without settings: the queue sizes only
        Files.createDirectories(dir.resolve("cb"));
        assertThat(generate(new CarbonBlackInfoTable(dir.resolve("cb")))).singleElement()
                .satisfies(m -> assertThat(m).containsEntry("sensor_id", null).containsEntry("binary_queue", 0L));
        if (!Files.exists(CarbonBlackInfoTable.CB_DIR)) {
            assertThat(rows("SELECT * FROM carbon_black_info")).isEmpty();
            assertThat(rows("SELECT * FROM cb_info")).isEmpty();
        }
        assertThat(rows("SELECT name FROM pragma_table_info('cb_info')")).hasSize(21);
    }
}
