package io.hostql.subscribers.audit;

import java.util.function.LongFunction;

/**
 * The text of a value, made again only when the value differs from the last one asked for: consecutive events repeat
 * most values (an address, an fd, a file mode), and the same String again is also a parameter the events.db insert does
 * not bind again (issue 15). For one subscriber thread.
 */
final class LastText {
    private final LongFunction<String> format;
    private long last;
    private String text;

    LastText(LongFunction<String> format) {
        this.format = format;
    }

    String of(long value) {
        if (text == null || value != last) {
            text = format.apply(value);
            last = value;
        }
        return text;
    }
}
