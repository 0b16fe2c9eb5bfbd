#!/bin/sh
# synthehr — GPL-3.0-or-later.
# `synthehr bench`: a tiny training-step timing prints one JSON line with the
# promised fields; bad usage exits 2 with a message.
. "$SRCDIR/tests/tap.sh"
check "bench train runs" sh -c "\"$SYNTHEHR\" bench train --batch 16 --cols 12 --width 8 \
    --depth 2 --zdim 4 --steps 2 --threads 1 >\"$TMPD/train.json\""
for f in steps_per_s s_per_step flops_per_step gflops blas_core threads sgemm_same_shapes_gflops \
    step_vs_sgemm step_vs_sgemm_cpu; do
	grep_ok "bench train JSON has $f" "\"$f\":" "$TMPD/train.json"
done
# The analytic FLOP count = the FLOPs of the sgemm calls one step makes plus
# the critic output layer's input gradients, which are elementwise products
# (3B rows in the critic step, B in the generator step: 2 x 4 x B x H).
fa=$(sed -n 's/.*"flops_per_step":\([0-9.e+-]*\).*/\1/p' "$TMPD/train.json")
fr=$(sed -n 's/.*"sgemm_flops_per_step":\([0-9.e+-]*\).*/\1/p' "$TMPD/train.json")
if awk -v a="$fa" -v r="$fr" 'BEGIN { exit !(a > 0 && a == r + 8 * 16 * 8) }'; then
	ok "wgan_step_flops = the step's recorded sgemm FLOPs + 8 B H ($fa = $fr + 1024)"
else
	not_ok "wgan_step_flops ($fa) = the step's recorded sgemm FLOPs ($fr) + 8 B H (1024)"
fi
if [ "$(wc -l <"$TMPD/train.json")" -eq 1 ]; then ok "bench train prints one line"; else
	not_ok "bench train prints one line"; fi
check "bench sgemm runs" sh -c "\"$SYNTHEHR\" bench sgemm --m 64 --n 32 --k 16 --reps 2 \
    --threads 1 >\"$TMPD/sgemm.json\""
grep_ok "bench sgemm prints GFLOP/s" '"gflops":' "$TMPD/sgemm.json"
check_fails "bench train --batch 0 exits 2" 2 "$SYNTHEHR" bench train --batch 0
grep_ok "--batch 0 names the option" "batch" "$TMPD/err"
check_fails "an unknown option exits 2" 2 "$SYNTHEHR" bench train --widht 3
check_fails "a missing value exits 2" 2 "$SYNTHEHR" bench train --steps
check_fails "bench without a probe exits 2" 2 "$SYNTHEHR" bench
done_testing
