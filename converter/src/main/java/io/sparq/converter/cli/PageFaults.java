package io.sparq.converter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's minor page faults so far, where the system tells them (Linux: /proc/self/stat); 0 elsewhere. */
final class PageFaults {
    private static final Path STAT = Path.of("/proc/self/stat");

    private PageFaults() {
    }

    static long minor() {
        try {
            String stat = Files.readString(STAT);
            // fields after the command name (which may hold spaces, so split after its closing parenthesis)
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[7]);   // field 10 of proc(5), minflt: the 8th after the name
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
