package io.sparq.converter.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code sparq version}: prints the sparq version and the Java runtime it runs on. */
@Command(name = "version", header = "Print the sparq version and the Java runtime in use.",
        description = "Prints the sparq version (from the jar's manifest) and the Java runtime running it.",
        footerHeading = "%nExamples:%n",
        footer = {"  sparq version", "  sparq --version"})
final class VersionCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        for (String line : new Provider().getVersion()) {
            spec.commandLine().getOut().println(line);
        }
        return ExitCode.OK;
    }

    /** The sparq version from the jar manifest (set by the build), or a marker for a development build. */
    static String version() {
        return io.sparq.converter.Version.version();
    }

    /** Reads the version from the jar manifest (set by the build). */
    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "sparq " + version(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
            };
        }
    }
}
