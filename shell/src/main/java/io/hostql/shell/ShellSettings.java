package io.hostql.shell;

import io.hostql.config.Settings;

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
        d.headers = s.bool("header");
        d.separator = s.string("separator");
        d.nullValue = s.string("nullvalue");
        if (s.bool("json")) d.mode = OutputMode.JSON;
        else if (s.bool("json_pretty")) d.mode = OutputMode.JSON_PRETTY;
        else if (s.bool("csv")) {
            d.mode = OutputMode.CSV;
            if (!s.isSet("separator")) d.separator = ",";
        } else if (s.bool("line")) d.mode = OutputMode.LINE;
        else if (s.bool("list")) d.mode = OutputMode.LIST;
        return d;
    }
}
