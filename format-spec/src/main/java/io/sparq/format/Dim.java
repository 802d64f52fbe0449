package io.sparq.format;

/**
 * One dimension of a declared shape: a fixed size, a named symbolic size ({@code "batch"},
 * {@code "seq"}), or unknown.
 */
public record Dim(int value, String symbol) {
    private static final Dim UNKNOWN = new Dim(-1, null);

    public static Dim of(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("fixed dimension must be >= 0, got " + value);
        }
        return new Dim(value, null);
    }

    public static Dim symbol(String name) {
        return new Dim(-1, name);
    }

    public static Dim unknown() {
        return UNKNOWN;
    }

    public boolean isFixed() {
        return value >= 0;
    }

    @Override
    public String toString() {
        return isFixed() ? Integer.toString(value) : symbol != null ? symbol : "?";
    }
}
