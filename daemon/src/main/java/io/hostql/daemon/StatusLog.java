package io.hostql.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/** hostqld's status log: INFO and up (DEBUG with --verbose) to stderr and {@code <logger_path>/hostqld.status.log}. */
final class StatusLog {
    static final String FILE_NAME = "hostqld.status.log";

    private StatusLog() {}

    /** Returns the forwarder that copies status lines to the logger plugins once they exist. */
    static StatusForwarder configure(Path loggerPath, boolean verbose, boolean json) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(verbose ? Level.DEBUG : Level.INFO);
        ctx.getLogger("io.hostql").setLevel(verbose ? Level.DEBUG : Level.INFO);
        // kafka-clients logs its whole config at INFO and a WARN per reconnect attempt while a broker is away:
        // the kafka_producer plugin reports an outage once itself (SinkRunner), so only Kafka's errors get through.
        ctx.getLogger("org.apache.kafka").setLevel(verbose ? Level.INFO : Level.ERROR);

        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern(json
                ? "{\"time\":\"%d{yyyy-MM-dd'T'HH:mm:ss.SSSX}\",\"severity\":\"%level\",\"thread\":\"%thread\",\"logger\":\"%logger{0}\",\"message\":\"%replace(%replace(%msg){'\\\\','\\\\\\\\'}){'\"','\\\\\"'}\"}%n"
                : "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX} %-5level [%thread] %logger{0}: %msg%n");
        enc.start();
        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>() {
            @Override
            public void openFile(String name) throws java.io.IOException {
                super.openFile(name); // at start and after each roll-over: made under umask 077, the log is 0640
                FileModes.set(Path.of(name), FileModes.LOG_FILE);
            }
        };
        file.setContext(ctx);
        file.setName("FILE");
        file.setFile(loggerPath.resolve(FILE_NAME).toString());
        FixedWindowRollingPolicy roll = new FixedWindowRollingPolicy();
        roll.setContext(ctx);
        roll.setParent(file);
        roll.setFileNamePattern(loggerPath.resolve(FILE_NAME) + ".%i");
        roll.setMinIndex(1);
        roll.setMaxIndex(5);
        roll.start();
        SizeBasedTriggeringPolicy<ILoggingEvent> size = new SizeBasedTriggeringPolicy<>();
        size.setContext(ctx);
        size.setMaxFileSize(FileSize.valueOf("10MB"));
        size.start();
        file.setRollingPolicy(roll);
        file.setTriggeringPolicy(size);
        file.setEncoder(enc);
        file.start();
        root.addAppender(file);
        StatusForwarder forwarder = new StatusForwarder();
        forwarder.setContext(ctx);
        forwarder.setName("PLUGINS");
        forwarder.start();
        root.addAppender(forwarder);
        return forwarder;
    }
}
