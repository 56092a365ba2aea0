package protection

import (
	"fmt"
	"strconv"
)

// parseTakeReply turns the array scripts/take.lua returns into an Outcome,
// computing each bucket's state with the same code as the memory backend.
func parseTakeReply(reply []any, limits []windowLimit) (Outcome, error) {
	n := len(limits)
	if len(reply) != 3+4*n+3 {
		return Outcome{}, fmt.Errorf("script returned %d values for %d buckets", len(reply), n)
	}
	ints := make([]int64, len(reply)-1)
	for i := range ints {
		v, ok := reply[i].(int64)
		if !ok {
			return Outcome{}, fmt.Errorf("script value %d is %T, want an integer", i+1, reply[i])
		}
		ints[i] = v
	}
	now := ints[2]
	out := Outcome{Allowed: ints[0] == 1, Refused: int(ints[1]), States: make([]BucketState, n)}
	for i, l := range limits {
		b := ints[3+4*i : 7+4*i] // inside, retry_at, last, admits
		out.States[i] = l.state(int(b[0]), b[1], b[2], now, b[3] == 1)
	}
	if ints[3+4*n] == 1 {
		text, ok := reply[len(reply)-1].(string)
		if !ok {
			return Outcome{}, fmt.Errorf("script baseline is %T, want a string", reply[len(reply)-1])
		}
		baseline, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return Outcome{}, fmt.Errorf("script baseline: %w", err)
		}
		out.Anomaly = &Anomaly{Baseline: baseline, Observed: ints[4+4*n], Window: AnomalyWindow}
	}
	return out, nil
}
