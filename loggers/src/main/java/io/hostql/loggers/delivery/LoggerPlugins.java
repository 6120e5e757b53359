package io.hostql.loggers.delivery;

import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import io.hostql.config.flags.LoggerFlags;
import io.hostql.loggers.elasticsearch.ElasticsearchPlugin;
import io.hostql.loggers.splunk.SplunkHecPlugin;
import io.hostql.loggers.stdout.StdoutSink;
import io.hostql.loggers.syslog.SyslogSink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code --logger_plugin}: a comma-separated list, as osquery's. {@code filesystem} is the local
 * result files (synchronous); every other name is a {@link Sink} built here from its flags. An
 * unknown name, or one of osquery's plugins hostqld does not have yet, stops the start with a message
 * naming it and the plugins that exist: results never go quietly somewhere else.
 */
public final class LoggerPlugins {
    public static final String FILESYSTEM = "filesystem";

    /** The plugins besides filesystem, and how each is built from the flags. A new plugin is one line here. */
    private static final Map<String, Function<Settings, Sink>> SINKS = new LinkedHashMap<>();

    static {
        SINKS.put("stdout", s -> new StdoutSink());
        SINKS.put("syslog", SyslogSink::create);
        SINKS.put("kafka_producer", io.hostql.loggers.kafka.KafkaProducerFlags::create);
        SINKS.put("gelf", io.hostql.loggers.gelf.GelfSink::create);
        SINKS.put("elasticsearch", ElasticsearchPlugin::create);
        SINKS.put("splunk_hec", SplunkHecPlugin::create);
    }

    /**
     * A plugin built outside this module, registered before the flags are planned: the daemon adds
     * tls, which needs the remote module's transport (a module this one cannot depend on).
     */
    public static void register(String name, Function<Settings, Sink> factory) {
        synchronized (SINKS) {
            SINKS.put(name, factory);
        }
    }

    /** osquery's logger plugins that hostqld does not implement yet (unless registered: tls, by the daemon). */
    static final Set<String> NOT_YET = Set.of("tls", "aws_kinesis", "aws_firehose", "windows_event_log");

    private LoggerPlugins() {}

    /** What {@code --logger_plugin} asks for: whether the filesystem logger is on, and the sinks. */
    public record Plan(boolean filesystem, List<Sink> sinks) {}

    public static List<String> available() {
        List<String> out = new ArrayList<>();
        out.add(FILESYSTEM);
        out.addAll(SINKS.keySet());
        return out;
    }

    /** The validated names, in order. */
    public static List<String> names(String list) {
        Set<String> names = new LinkedHashSet<>();
        for (String raw : list.split(",")) {
            String n = raw.strip();
            if (n.isEmpty()) continue;
            if (NOT_YET.contains(n) && !SINKS.containsKey(n)) {
                throw new SettingsException("logger_plugin: osquery's '" + n + "' logger plugin is not available in hostqld yet;"
                        + " available: " + String.join(", ", available()));
            }
            if (!n.equals(FILESYSTEM) && !SINKS.containsKey(n)) {
                throw new SettingsException("logger_plugin: unknown logger plugin '" + n + "'; available: " + String.join(", ", available()));
            }
            if (!names.add(n)) throw new SettingsException("logger_plugin: '" + n + "' is listed twice");
        }
        if (names.isEmpty()) {
            throw new SettingsException("logger_plugin is empty; name at least one of: " + String.join(", ", available())
                    + " (--disable_logging turns result logging off)");
        }
        return List.copyOf(names);
    }

    public static Plan plan(Settings s) {
        List<String> names = names(s.get(LoggerFlags.LOGGER_PLUGIN));
        List<Sink> sinks = new ArrayList<>();
        for (String n : names) if (!n.equals(FILESYSTEM)) sinks.add(SINKS.get(n).apply(s));
        return new Plan(names.contains(FILESYSTEM), sinks);
    }

    public static SinkRunner.Limits limits(Settings s) {
        long lines = s.get(LoggerFlags.BUFFERED_LOG_MAX), bytes = s.get(LoggerFlags.LOGGER_OUTBOX_MAX_BYTES);
        SinkRunner.Limits d = SinkRunner.Limits.DEFAULT;
        return new SinkRunner.Limits(lines, bytes, d.batchLines(), d.batchBytes(), d.backoffMaxMillis());
    }
}
