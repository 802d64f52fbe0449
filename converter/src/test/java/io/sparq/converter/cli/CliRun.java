package io.sparq.converter.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the {@code sparq} command line: exit code and what it printed. */
record CliRun(int exit, String out, String err) {
    /** Runs {@code sparq args...} with sparq's own error handling, capturing stdout and stderr. */
    static CliRun sparq(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = SparqCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}
