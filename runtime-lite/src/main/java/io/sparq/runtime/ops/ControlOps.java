package io.sparq.runtime.ops;

import io.sparq.format.DataType;
import io.sparq.format.Tensor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Operators with subgraphs: If. */
final class ControlOps {
    private ControlOps() {
    }

    static void register(OpRegistry r) {
        r.register("If", ControlOps::ifOp);
    }

    /**
     * Runs {@code then_branch} or {@code else_branch} on a one-element bool condition. Both
     * branches are compiled up front, so a model with an unsupported node in the branch not taken
     * is still refused when it loads. The branches read values of the enclosing graphs by name.
     */
    static Op ifOp(NodeContext ctx) {
        ctx.requireInputs(1, 1);
        Subgraph then = ctx.subgraph("then_branch");
        Subgraph otherwise = ctx.subgraph("else_branch");
        for (var branch : List.of(Map.entry("then_branch", then), Map.entry("else_branch", otherwise))) {
            int n = branch.getValue().outputNames().size();
            if (n != ctx.outputCount()) {
                throw ctx.fail("attribute " + branch.getKey() + " has " + n + " output(s) "
                        + branch.getValue().outputNames() + ", expected " + ctx.outputCount()
                        + ", one per output of the node");
            }
        }
        List<String> implicit = ctx.implicitInputs();
        return in -> {
            Tensor cond = in[0];
            ctx.requireType(cond, 0, DataType.BOOL);
            if (cond.size() != 1) {
                throw ctx.badInput("input 0 (cond) is " + cond + ", expected a single element");
            }
            Map<String, Tensor> outer = new HashMap<>(implicit.size() * 2);
            for (int i = 0; i < implicit.size(); i++) {
                outer.put(implicit.get(i), in[1 + i]);
            }
            return (cond.bools()[0] ? then : otherwise).run(outer::get);
        };
    }
}
