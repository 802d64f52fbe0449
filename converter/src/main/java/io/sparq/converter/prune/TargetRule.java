package io.sparq.converter.prune;

import io.sparq.format.ErrorCode;
import io.sparq.format.SparqException;

import java.util.regex.Pattern;

/**
 * A per-tensor sparsity target: every prunable initializer whose name matches {@code glob}
 * ({@code *} any run of characters, {@code ?} one character, everything else literal, matched
 * against the whole name) gets {@code sparsity}; 0 leaves it dense. When several rules match a
 * tensor the later one wins.
 */
public record TargetRule(String glob, double sparsity) {
    public TargetRule {
        if (glob == null || glob.isEmpty()) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "target glob is empty");
        }
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "target '" + glob + "': sparsity " + sparsity
                    + " out of range, expected 0 <= sparsity < 1");
        }
    }

    /** Parses {@code GLOB=SPARSITY}, e.g. {@code lstm_1.*=0.95}; the last '=' separates them, so globs may contain '='. */
    public static TargetRule parse(String spec) {
        int eq = spec.lastIndexOf('=');
        if (eq <= 0) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "target '" + spec + "': expected GLOB=SPARSITY, e.g. 'lstm_1.*=0.95'");
        }
        String value = spec.substring(eq + 1).trim();
        try {
            return new TargetRule(spec.substring(0, eq).trim(), Double.parseDouble(value));
        } catch (NumberFormatException e) {
            throw new SparqException(ErrorCode.INVALID_ARGUMENT, "target '" + spec + "': sparsity '" + value + "' is not a number");
        }
    }

    /** Whether the whole of {@code name} matches the glob. */
    public boolean matches(String name) {
        return toRegex(glob).matcher(name).matches();
    }

    private static Pattern toRegex(String glob) {
        StringBuilder re = new StringBuilder();
        int literalStart = 0;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' || c == '?') {
                if (i > literalStart) {
                    re.append(Pattern.quote(glob.substring(literalStart, i)));
                }
                re.append(c == '*' ? ".*" : ".");
                literalStart = i + 1;
            }
        }
        if (literalStart < glob.length()) {
            re.append(Pattern.quote(glob.substring(literalStart)));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    @Override
    public String toString() {
        return glob + "=" + sparsity;
    }
}
