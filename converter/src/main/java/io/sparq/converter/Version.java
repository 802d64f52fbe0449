package io.sparq.converter;

/** The converter's version, from the jar manifest the build writes. */
public final class Version {
    private Version() {
    }

    /** E.g. {@code 0.1.0-SNAPSHOT}, or a marker when running from classes rather than the jar. */
    public static String version() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }
}
