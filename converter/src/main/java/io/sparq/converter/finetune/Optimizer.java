package io.sparq.converter.finetune;

import io.sparq.format.Tensor;
import io.sparq.runtime.kernels.KernelThreads;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Updates weights in place from their gradients; keeps per-weight state (moments) between steps. */
public interface Optimizer {
    /** One update of every weight in {@code params} with {@code grads} (same names and shapes) at rate {@code lr}. */
    void step(Map<String, Tensor> params, Map<String, Tensor> grads, double lr);

    /**
     * The state carried from step to step (moments, step count) as named arrays, copied, so that a
     * checkpoint can hold it; empty for a stateless optimizer.
     */
    default Map<String, Tensor> state() {
        return Map.of();
    }

    /**
     * Continues from {@code state}, as {@link #state()} of an optimizer of the same kind and settings
     * gave it; the arrays are copied.
     *
     * @throws IllegalArgumentException if an array is missing or has another length than before
     */
    default void restore(Map<String, Tensor> state) {
    }

    /**
     * Adam (Kingma &amp; Ba) with bias correction; {@code weightDecay} > 0 adds decoupled weight decay
     * (AdamW: w -= lr·decay·w, outside the adaptive scaling).
     */
    static Optimizer adam(double beta1, double beta2, double epsilon, double weightDecay) {
        return new Moments(2) {
            @Override
            public void step(Map<String, Tensor> params, Map<String, Tensor> grads, double lr) {
                t++;
                double c1 = 1 - Math.pow(beta1, t);
                double c2 = 1 - Math.pow(beta2, t);
                // float32 arithmetic as PyTorch's Adam, in a loop the JIT vectorizes, over element
                // ranges split across the kernel threads (each element is independent: same bits)
                float b1 = (float) beta1;
                float b2 = (float) beta2;
                float g1 = (float) (1 - beta1);
                float g2 = (float) (1 - beta2);
                float step = (float) (lr / c1);
                float unbias2 = (float) (1 / c2);
                float eps = (float) epsilon;
                float decay = (float) (lr * weightDecay);
                params.forEach((name, p) -> {
                    float[] w = p.floats();
                    float[] g = grads.get(name).floats();
                    float[] mm = moment(0, name, w.length);
                    float[] vv = moment(1, name, w.length);
                    KernelThreads.Range update = (from, to) -> {
                        for (int i = from; i < to; i++) {
                            float m = b1 * mm[i] + g1 * g[i];
                            float v = b2 * vv[i] + g2 * g[i] * g[i];
                            mm[i] = m;
                            vv[i] = v;
                            w[i] = w[i] - step * m / ((float) Math.sqrt(v * unbias2) + eps) - decay * w[i];
                        }
                    };
                    if (KernelThreads.worthSplitting(w.length, ELEMENT_GRAIN, 8L * w.length)) {
                        KernelThreads.run(w.length, ELEMENT_GRAIN, update);
                    } else {
                        update.run(0, w.length);
                    }
                });
            }
        };
    }

    /** Stochastic gradient descent with (heavy-ball) momentum; 0 = plain SGD. */
    static Optimizer sgd(double momentum) {
        return new Moments(1) {
            @Override
            public void step(Map<String, Tensor> params, Map<String, Tensor> grads, double lr) {
                t++;
                params.forEach((name, p) -> {
                    float[] w = p.floats();
                    float[] g = grads.get(name).floats();
                    float[] vel = moment(0, name, w.length);
                    for (int i = 0; i < w.length; i++) {
                        vel[i] = (float) (momentum * vel[i] + g[i]);
                        w[i] = (float) (w[i] - lr * vel[i]);
                    }
                });
            }
        };
    }

    /**
     * Per-weight moment arrays (Adam: first and second, SGD: velocity) and a step count; state keys
     * are {@code t} and {@code m<i>.<weight name>}.
     */
    abstract class Moments implements Optimizer {
        /** Elements per thread chunk at least, when an update is split across the kernel threads. */
        static final int ELEMENT_GRAIN = 1 << 14;
        private final List<Map<String, float[]>> moments = new ArrayList<>();
        protected long t;

        Moments(int count) {
            for (int i = 0; i < count; i++) {
                moments.add(new LinkedHashMap<>());
            }
        }

        protected float[] moment(int i, String name, int length) {
            float[] m = moments.get(i).computeIfAbsent(name, k -> new float[length]);
            if (m.length != length) {
                throw new IllegalStateException("restored moment m" + i + " of '" + name + "' has " + m.length
                        + " elements, the weight " + length);
            }
            return m;
        }

        @Override
        public Map<String, Tensor> state() {
            Map<String, Tensor> s = new LinkedHashMap<>();
            s.put("t", Tensor.ofLongs(new int[] {1}, t));
            for (int i = 0; i < moments.size(); i++) {
                for (Map.Entry<String, float[]> e : moments.get(i).entrySet()) {
                    s.put("m" + i + "." + e.getKey(), Tensor.ofFloats(new int[] {e.getValue().length}, e.getValue().clone()));
                }
            }
            return s;
        }

        @Override
        public void restore(Map<String, Tensor> state) {
            Tensor count = state.get("t");
            if (count == null || count.type() != io.sparq.format.DataType.INT64 || count.size() != 1) {
                throw new IllegalArgumentException("optimizer state has no step count 't'");
            }
            t = count.longs()[0];
            for (int i = 0; i < moments.size(); i++) {
                moments.get(i).clear();
            }
            for (Map.Entry<String, Tensor> e : state.entrySet()) {
                if (e.getKey().equals("t")) {
                    continue;
                }
                int dot = e.getKey().indexOf('.');
                int i = dot == 2 && e.getKey().charAt(0) == 'm' ? e.getKey().charAt(1) - '0' : -1;
                if (i < 0 || i >= moments.size() || e.getValue().type() != io.sparq.format.DataType.FLOAT32) {
                    throw new IllegalArgumentException("optimizer state '" + e.getKey() + "' is not a float32 moment m0"
                            + (moments.size() > 1 ? "..m" + (moments.size() - 1) : ""));
                }
                moments.get(i).put(e.getKey().substring(dot + 1), e.getValue().floats().clone());
            }
        }
    }

    /**
     * Scales all gradients together so their global L2 norm is at most {@code maxNorm}
     * (no-op when {@code maxNorm} ≤ 0).
     *
     * @return the global norm before clipping
     */
    static double clipGlobalNorm(Map<String, Tensor> grads, double maxNorm) {
        double sq = 0;
        for (Tensor g : grads.values()) {
            for (float x : g.floats()) {
                sq += (double) x * x;
            }
        }
        double norm = Math.sqrt(sq);
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / norm);
            for (Tensor g : grads.values()) {
                float[] v = g.floats();
                for (int i = 0; i < v.length; i++) {
                    v[i] *= scale;
                }
            }
        }
        return norm;
    }
}
