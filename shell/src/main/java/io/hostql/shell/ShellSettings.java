package io.hostql.shell;

import io.hostql.config.Settings;
import io.hostql.config.flags.ShellFlags;

/** The shell's display settings, changed by flags and dot-commands. */
final class ShellSettings {
    OutputMode mode = OutputMode.PRETTY;
    boolean headers = true;
    String separator = "|";
    String nullValue = "";
    boolean timer = false;
    boolean bail = false;
    boolean echo = false;

    static ShellSettings from(Settings s) {
        ShellSettings d = new ShellSettings();
        d.headers = s.get(ShellFlags.HEADER);
        d.separator = s.get(ShellFlags.SEPARATOR);
        d.nullValue = s.get(ShellFlags.NULLVALUE);
        if (s.get(ShellFlags.JSON)) d.mode = OutputMode.JSON;
        else if (s.get(ShellFlags.JSON_PRETTY)) d.mode = OutputMode.JSON_PRETTY;
        else if (s.get(ShellFlags.CSV)) {
            d.mode = OutputMode.CSV;
            if (!s.isSet(ShellFlags.SEPARATOR)) d.separator = ",";
        } else if (s.get(ShellFlags.LINE)) d.mode = OutputMode.LINE;
        else if (s.get(ShellFlags.LIST)) d.mode = OutputMode.LIST;
        return d;
    }
}
